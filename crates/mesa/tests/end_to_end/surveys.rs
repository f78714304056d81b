//! Surveys and knowledge through the real binary (issue 16): the survey
//! page and its answer (once; 410 after), the QR codes read back, the
//! staff's link and the results with their authorisation, `mesa survey
//! sample`, articles and lessons learned.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, code, mesa};

/// Opens a ticket as ana, assigns it to the agent and solves it.
async fn solved_ticket(desk: &Desk, subject: &str) -> i64 {
    let n = desk.open(&desk.ana, subject, "Detalle del caso").await;
    let (s, body) = desk
        .post(&desk.admin, &format!("/api/v1/tickets/{n}/assign"), json!({"assignee_email": "tecnico@mesa.test"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = desk.transition(&desk.agent, n, json!({"to": "solved", "resolution": "Se cambió el tóner"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    n
}

fn decode_png(bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

#[tokio::test]
async fn a_survey_is_answered_once_from_its_link_and_its_qr_code_reads_back() {
    for kind in mesa_testkit::databases() {
        let desk = Desk::start(kind).await;
        let n = solved_ticket(&desk, "Impresora sin tóner").await;
        let path = format!("/api/v1/tickets/{n}/survey");

        // Who may see it.
        let anon = desk.http.get(desk.server.url(&path)).send().await.unwrap();
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
        for (token, want) in [
            (&desk.ana, StatusCode::FORBIDDEN),
            (&desk.manager, StatusCode::FORBIDDEN),
            (&desk.agent, StatusCode::OK),
            (&desk.admin, StatusCode::OK),
        ] {
            assert_eq!(desk.get(token, &path).await.0, want, "{kind:?}");
        }
        let (_, survey) = desk.get(&desk.agent, &path).await;
        let link = survey["link"].as_str().expect("a link").to_owned();
        assert!(survey["answer"].is_null() && survey["expires_at"].is_string(), "{survey}");
        let page_path = &link[link.find("/s/").unwrap()..];

        // The QR codes hold the link.
        let png = desk.http.get(survey["qr_png"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(png.headers()["content-type"], "image/png");
        assert_eq!(decode_png(&png.bytes().await.unwrap()), link, "{kind:?}");
        let svg = desk.http.get(desk.server.url(&format!("{page_path}/qr.svg"))).send().await.unwrap();
        assert_eq!(svg.status(), StatusCode::OK);
        assert!(svg.text().await.unwrap().starts_with("<svg"));

        // The page needs no sign-in; a bad answer keeps what was typed.
        let page = desk.http.get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("¿Se resolvió su solicitud?") && html.contains("name=\"overall\""), "{html}");
        let bad = desk
            .http
            .post(&link)
            .form(&[("overall", "5"), ("timeliness", "4"), ("resolved", "yes"), ("comment", "Muy rápido")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text().await.unwrap();
        assert!(html.contains("role=\"alert\"") && html.contains("Muy rápido"), "{html}");
        let form =
            [("overall", "5"), ("timeliness", "4"), ("quality", "5"), ("resolved", "yes"), ("comment", "Muy rápido")];
        let ok = desk.http.post(&link).form(&form).send().await.unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert!(ok.text().await.unwrap().contains("Gracias"));
        let again = desk.http.post(&link).form(&form).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::GONE, "{kind:?}: a second answer");
        assert!(again.text().await.unwrap().contains("ya no recibe respuestas"));
        assert_eq!(desk.http.get(&link).send().await.unwrap().status(), StatusCode::GONE);
        assert_eq!(
            desk.http.get(desk.server.url(&format!("{page_path}/qr.png"))).send().await.unwrap().status(),
            StatusCode::GONE
        );
        assert_eq!(desk.http.get(desk.server.url("/s/nada")).send().await.unwrap().status(), StatusCode::GONE);

        let (_, survey) = desk.get(&desk.admin, &path).await;
        assert_eq!(survey["answer"]["answers"]["overall"], 5, "{survey}");
        assert_eq!(survey["answer"]["answers"]["resolved"], true);

        // Results: the report's readers only; the group names the agent.
        let results = "/api/v1/surveys/results?group_by=agent";
        assert_eq!(desk.get(&desk.agent, results).await.0, StatusCode::FORBIDDEN);
        assert_eq!(desk.get(&desk.ana, results).await.0, StatusCode::FORBIDDEN);
        let (s, r) = desk.get(&desk.manager, results).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!((r["total"]["sent"].as_i64(), r["total"]["answered"].as_i64()), (Some(1), Some(1)), "{r}");
        assert_eq!(r["groups"][0]["name"], "tecnico@mesa.test");
        assert_eq!(r["groups"][0]["figures"]["questions"][0]["average"], 5.0);
        let (s, e) = desk.get(&desk.admin, "/api/v1/surveys/results?group_by=floor").await;
        assert_eq!((s, code(&e)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let (s, _) = desk.get(&desk.admin, "/api/v1/surveys/results?from=2026-02-10&to=2026-02-01").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn survey_sample_prints_one_line_per_ticket_and_samples_a_week_once() {
    for kind in mesa_testkit::databases() {
        let desk = Desk::start(kind).await;
        let (s, _) = desk
            .post_put(
                "PUT",
                &desk.admin,
                "/api/v1/settings/surveys",
                json!({"at_solution": false, "weekly_sample": true, "sample_per_agent": 3, "period_days": 30, "expires_days": 15}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = desk.post_put("PUT", &desk.agent, "/api/v1/settings/surveys", json!({"at_solution": true})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        solved_ticket(&desk, "Uno").await;
        let n = solved_ticket(&desk, "Dos").await;
        let week = chrono::Utc::now().with_timezone(&chrono_tz::America::Bogota).format("%G-W%V").to_string();

        let dry = mesa(&desk.db, &["survey", "sample", "--week", &week, "--dry-run", "--seed", "5"], None);
        let lines: Vec<&str> = dry.lines().collect();
        assert_eq!(lines.last(), Some(&"sampled 1"), "{kind:?}: ana once, whatever her tickets: {dry}");
        assert!(lines[0].starts_with('#') && lines[0].contains("tecnico@mesa.test\tana@mesa.test\t-"), "{dry}");
        assert_eq!(dry, mesa(&desk.db, &["survey", "sample", "--week", &week, "--dry-run", "--seed", "5"], None));

        let real = mesa(&desk.db, &["survey", "sample", "--week", &week, "--seed", "5"], None);
        assert!(real.lines().last() == Some("sampled 1") && real.contains("/s/"), "{real}");
        let number: i64 = real.lines().next().unwrap()[1..].split('\t').next().unwrap().parse().unwrap();
        assert!(number == n || number == n - 1);
        let (_, survey) = desk.get(&desk.agent, &format!("/api/v1/tickets/{number}/survey")).await;
        assert_eq!(survey["origin"], "sample", "{survey}");
        let again = mesa(&desk.db, &["survey", "sample", "--week", &week], None);
        assert_eq!(again.trim(), "sampled 0");
    }
}

#[tokio::test]
async fn articles_and_lessons_keep_internal_knowledge_from_requesters() {
    for kind in mesa_testkit::databases() {
        let desk = Desk::start(kind).await;
        let guide = json!({"title": "Configurar el correo en el celular", "body": "1. Abra **Ajustes**\n<script>x</script>",
                           "category": "Guías", "audience": "public", "published": true});
        let (s, e) = desk.post(&desk.ana, "/api/v1/articles", guide.clone()).await;
        assert_eq!((s, code(&e)), (StatusCode::FORBIDDEN, "forbidden"));
        let (s, e) = desk.post(&desk.manager, "/api/v1/articles", guide.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
        let (s, a) = desk.post(&desk.agent, "/api/v1/articles", guide).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert!(
            a["html"].as_str().unwrap().contains("<strong>Ajustes</strong>")
                && !a["html"].as_str().unwrap().contains("script")
        );
        let (s, e) =
            desk.post(&desk.agent, "/api/v1/articles", json!({"title": "x", "body": "y", "audience": "secret"})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("audience")));

        let n = solved_ticket(&desk, "Correo no sincroniza").await;
        let lesson = json!({"title": "Correo en celulares Android", "what_happened": "El correo no sincronizaba",
                            "cause": "Contraseña de aplicación vencida", "next_time": "Generar una nueva contraseña de aplicación"});
        let lessons = format!("/api/v1/tickets/{n}/lessons");
        assert_eq!(desk.post(&desk.ana, &lessons, lesson.clone()).await.0, StatusCode::FORBIDDEN);
        let (s, l) = desk.post(&desk.agent, &lessons, lesson).await;
        assert_eq!(s, StatusCode::CREATED, "{l}");
        let decision = format!("/api/v1/lessons/{}/decision", l["id"]);
        for token in [&desk.agent, &desk.ana, &desk.manager] {
            assert_eq!(desk.post(token, &decision, json!({"decision": "accept"})).await.0, StatusCode::FORBIDDEN);
        }
        let (s, e) = desk.post(&desk.admin, &decision, json!({"decision": "maybe"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, d) = desk.post(&desk.admin, &decision, json!({"decision": "accept", "reason": null})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let article = format!("/api/v1/articles/{}", d["article_id"]);
        let (s, internal) = desk.get(&desk.agent, &article).await;
        assert_eq!(
            (s, internal["audience"].as_str(), internal["ticket_number"].as_i64()),
            (StatusCode::OK, Some("internal"), Some(n))
        );
        assert_eq!(desk.get(&desk.ana, &article).await.0, StatusCode::NOT_FOUND, "{kind:?}");
        assert_eq!(
            desk.post(&desk.admin, &decision, json!({"decision": "reject", "reason": "x"})).await.0,
            StatusCode::CONFLICT
        );

        // Search folds accents; requesters never see internal articles, nor in suggestions.
        let titles = |v: &Value| -> Vec<String> {
            v["items"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect()
        };
        let (_, staff) = desk.get(&desk.agent, "/api/v1/articles?q=CELULAR").await;
        assert_eq!(titles(&staff).len(), 2, "{staff}");
        let (_, mine) = desk.get(&desk.ana, "/api/v1/articles?q=celular").await;
        assert_eq!(titles(&mine), ["Configurar el correo en el celular"], "{kind:?}");
        let (_, suggested) = desk.get(&desk.ana, "/api/v1/articles/suggestions?q=correo%20celulares%20android").await;
        assert!(suggested["items"].as_array().unwrap().iter().all(|a| a["audience"] == "public"), "{suggested}");
        let (_, agenda) = desk.get(&desk.admin, "/api/v1/lessons?pending=true").await;
        assert_eq!(agenda["items"].as_array().unwrap().len(), 0);
    }
}
