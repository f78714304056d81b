//! The institution's logo on its documents (issue 17): set by an
//! administrator as a PNG, read back, printed in the report's PDF, refused
//! when it is not a small PNG, and taken away.

use mesa_testkit::databases;
use reqwest::StatusCode;

use crate::support::{Desk, code};

/// A small PNG, `width` × `height`, half transparent.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = [10u8, 90, 160, 128].iter().copied().cycle().take((4 * width * height) as usize).collect();
    writer.write_image_data(&data).unwrap();
    drop(writer);
    out
}

async fn put_logo(desk: &Desk, token: &str, body: Vec<u8>) -> (StatusCode, serde_json::Value) {
    let res = desk
        .http
        .put(desk.server.url("/api/v1/settings/logo"))
        .bearer_auth(token)
        .header("content-type", "image/png")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn an_admin_sets_the_logo_and_the_reports_pdf_carries_it() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let (s, body) = desk.get(&desk.agent, "/api/v1/settings/logo").await;
        assert_eq!((s, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "no logo yet");
        let pdf = |desk: &Desk| {
            let url = desk.server.url("/reports/summary.pdf?from=2026-01-01&to=2026-01-31");
            let req = desk.http.get(url).bearer_auth(desk.manager.clone());
            async move { req.send().await.unwrap().bytes().await.unwrap().to_vec() }
        };
        let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        assert!(!contains(&pdf(&desk).await, b"/Subtype /Image"), "no image without a logo");

        let logo = png(40, 20);
        let (s, body) = put_logo(&desk, &desk.agent, logo.clone()).await;
        assert_eq!((s, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
        let (s, body) = put_logo(&desk, &desk.admin, b"GIF89a, not a png".to_vec()).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("logo")));
        let (s, _) = put_logo(&desk, &desk.admin, vec![0x89; 300 * 1024]).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        let (s, _) = put_logo(&desk, &desk.admin, logo.clone()).await;
        assert_eq!(s, StatusCode::NO_CONTENT);

        let res = desk.http.get(desk.server.url("/api/v1/settings/logo")).bearer_auth(&desk.ana).send().await.unwrap();
        assert_eq!(res.headers()["content-type"], "image/png");
        assert_eq!(res.bytes().await.unwrap().to_vec(), logo, "the logo reads back as uploaded");
        let printed = pdf(&desk).await;
        assert!(printed.starts_with(b"%PDF"));
        assert!(contains(&printed, b"/Subtype /Image") && contains(&printed, b"/SMask"), "the logo is in the PDF");

        let res =
            desk.http.delete(desk.server.url("/api/v1/settings/logo")).bearer_auth(&desk.admin).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let (s, _) = desk.get(&desk.agent, "/api/v1/settings/logo").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}
