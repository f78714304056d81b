//! Attachments: stored by content, served only to who may see the ticket.

use mesa_testkit::databases;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::support::{Desk, code, split};

fn form(name: &str, bytes: Vec<u8>, mime: &str) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime).unwrap())
}

#[tokio::test]
async fn an_attachment_is_stored_once_and_served_only_to_those_who_see_the_ticket() {
    for db in databases() {
        let desk = Desk::start_with(db, &["--max-attachment-mb", "1"]).await;
        let n = desk.open(&desk.ana, "Factura", "Adjunto el pantallazo").await;
        let url = desk.server.url(&format!("/api/v1/tickets/{n}/attachments"));
        let png = b"\x89PNG\r\n\x1a\n fake image bytes".to_vec();
        let res = desk
            .http
            .post(&url)
            .bearer_auth(&desk.ana)
            .multipart(form("pantallazo ñ.png", png.clone(), "image/png"))
            .send()
            .await
            .unwrap();
        let (status, body) = split(res).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let att = &body[0];
        assert_eq!(att["filename"], "pantallazo ñ.png");
        assert_eq!(att["size"], png.len());
        assert_eq!(att["sha256"].as_str().unwrap().len(), 64);
        let download = desk.server.url(att["url"].as_str().unwrap().trim_start_matches(&desk.server.base_url));

        let res = desk.http.get(&download).bearer_auth(&desk.ana).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.bytes().await.unwrap().to_vec(), png);
        let res = desk.http.get(&download).bearer_auth(&desk.agent).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = desk.http.get(&download).bearer_auth(&desk.beto).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "another requester must not get the file");

        // the same bytes again are stored once on disk
        let res = desk
            .http
            .post(&url)
            .bearer_auth(&desk.agent)
            .multipart(form("copia.png", png.clone(), "image/png"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let files: Vec<_> = walk(&desk.db.data_path().join("attachments"));
        assert_eq!(files.len(), 1, "{files:?}");

        let (_, page) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(page["attachments"].as_array().unwrap().len(), 2);
        let (_, history) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}/history")).await;
        assert!(history.to_string().contains("pantallazo ñ.png"));

        // over the limit (1 MiB here): 413, nothing stored
        let res = desk
            .http
            .post(&url)
            .bearer_auth(&desk.ana)
            .multipart(form("grande.bin", vec![7u8; 1024 * 1024 + 10], "application/octet-stream"))
            .send()
            .await
            .unwrap();
        let (status, body) = split(res).await;
        assert_eq!((status, code(&body)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
        // another requester cannot upload to the ticket either
        let res = desk
            .http
            .post(&url)
            .bearer_auth(&desk.beto)
            .multipart(form("x.txt", b"x".to_vec(), "text/plain"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // a form without a `file` part
        let res = desk
            .http
            .post(&url)
            .bearer_auth(&desk.ana)
            .multipart(Form::new().text("note", "hola"))
            .send()
            .await
            .unwrap();
        let (status, body) = split(res).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")));
        let (_, page) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(page["attachments"].as_array().unwrap().len(), 2);
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

#[tokio::test]
async fn an_upload_with_a_part_of_another_name_is_refused_whole() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Factura", "Adjunto").await;
        let url = desk.server.url(&format!("/api/v1/tickets/{n}/attachments"));
        let mixed = form("a.txt", b"hola".to_vec(), "text/plain").part("other", Part::text("x"));
        let res = desk.http.post(&url).bearer_auth(&desk.ana).multipart(mixed).send().await.unwrap();
        let (status, body) = split(res).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")));
        let (_, ticket) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(ticket["attachments"].as_array().map(Vec::len).unwrap_or(0), 0, "nothing was kept: {ticket}");
    }
}
