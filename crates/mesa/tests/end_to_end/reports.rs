//! Reports and the BI feed through the real binary (issue 17): the summary
//! and its channel breakdown, the three files, `mesa report`, and a `feed`
//! token that reads the feed and nothing else.

use chrono::{Days, Utc};
use mesa_testkit::{databases, run_cli};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Desk, bin, code, mesa};

/// A period around now that holds today in any time zone.
fn around_today() -> (String, String) {
    let today = Utc::now().date_naive();
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    (day(today - Days::new(1)), day(today + Days::new(1)))
}

/// Three tickets: two from Ana through the API, one taken by phone by the
/// agent on Beto's behalf; the first is solved.
async fn three_tickets(desk: &Desk) -> i64 {
    let first = desk.open(&desk.ana, "Impresora atascada", "Papel atascado en la bandeja 2").await;
    desk.open(&desk.ana, "Sin correo", "No llegan los mensajes").await;
    let (s, body) = desk
        .post(
            &desk.agent,
            "/api/v1/tickets",
            json!({"subject": "Clave bloqueada", "description": "Llamó por teléfono",
                   "requester_email": "beto@mesa.test", "channel": "phone"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["channel"], "phone");
    let (s, body) =
        desk.transition(&desk.agent, first, json!({"to": "solved", "resolution": "Se retiró el papel"})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    first
}

#[tokio::test]
async fn the_summary_counts_the_periods_tickets_by_channel_for_staff_only() {
    for db in databases() {
        let desk = Desk::start(db).await;
        three_tickets(&desk).await;
        let (from, to) = around_today();
        let path = format!("/api/v1/reports/summary?from={from}&to={to}");
        let (s, report) = desk.get(&desk.manager, &path).await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!((report["from"].as_str(), report["to"].as_str()), (Some(from.as_str()), Some(to.as_str())));
        assert_eq!(report["counts"]["opened"], 3, "{report}");
        assert_eq!(report["counts"]["solved"], 1);
        assert_eq!(report["counts"]["backlog_end"], 2);
        let channels = &report["breakdowns"]["channel"];
        assert!(channels.as_array().unwrap().contains(&json!({"name": "phone", "id": null, "count": 1})), "{channels}");
        assert!(channels.as_array().unwrap().contains(&json!({"name": "api", "id": null, "count": 2})), "{channels}");
        assert_eq!(report["resolution"]["count"], 1);
        assert!(report["surveys"].is_object(), "a manager sees the survey figures");

        let (s, agent_view) = desk.get(&desk.agent, &format!("{path}&channel=phone")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(agent_view["counts"]["opened"], 1);
        assert!(agent_view["surveys"].is_null(), "agents do not see survey results");

        let (s, list) = desk.get(&desk.agent, "/api/v1/tickets?channel=phone").await;
        assert_eq!((s, list["total"].as_i64()), (StatusCode::OK, Some(1)));

        let (s, body) = desk.get(&desk.ana, &path).await;
        assert_eq!((s, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
        let (s, body) = desk.get(&desk.agent, &format!("/api/v1/reports/summary?from={to}&to={from}")).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
        let (s, body) = desk.get(&desk.agent, &format!("{path}&service_id=999")).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("service_id")));
        let (s, body) = desk
            .post(&desk.ana, "/api/v1/tickets", json!({"subject": "x", "description": "y", "channel": "phone"}))
            .await;
        assert_eq!(
            (s, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("channel")),
            "a requester cannot say they phoned"
        );
        let long = json!({"subject": "x", "description": "y", "requester_email": "beto@mesa.test",
                          "requester_name": "n".repeat(1_000)});
        let (s, body) = desk.post(&desk.agent, "/api/v1/tickets", long).await;
        assert_eq!(
            (s, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("requester_name")),
            "a name too long is refused even for a known requester"
        );
    }
}

#[tokio::test]
async fn the_report_downloads_as_csv_xlsx_and_pdf_and_mesa_report_writes_it() {
    for db in databases() {
        let desk = Desk::start(db).await;
        three_tickets(&desk).await;
        let (from, to) = around_today();
        for (ext, kind, starts) in [
            ("csv", "text/csv", &b"section,item,measure,value"[..]),
            ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &b"PK"[..]),
            ("pdf", "application/pdf", &b"%PDF"[..]),
        ] {
            let url = desk.server.url(&format!("/reports/summary.{ext}?from={from}&to={to}"));
            let res = desk.http.get(&url).bearer_auth(&desk.agent).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{ext}");
            let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(content_type.starts_with(kind), "{ext}: {content_type}");
            let bytes = res.bytes().await.unwrap();
            assert!(bytes.starts_with(starts), "{ext} starts with {:?}", &bytes[..8.min(bytes.len())]);
            if ext == "csv" {
                let text = String::from_utf8(bytes.to_vec()).unwrap();
                assert!(text.lines().any(|l| l == "summary,opened,count,3"), "{text}");
            }
            let res = desk.http.get(&url).bearer_auth(&desk.ana).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "a requester downloads no {ext}");
        }

        let dir = desk.db.data_path().join("informes");
        std::fs::create_dir_all(&dir).unwrap();
        for format in ["csv", "xlsx", "pdf"] {
            let file = dir.join(format!("informe.{format}"));
            let file = file.to_str().unwrap();
            let out =
                mesa(&desk.db, &["report", "--from", &from, "--to", &to, "--format", format, "--out", file], None);
            assert_eq!(out.lines().last(), Some(format!("wrote {file}").as_str()));
            let written = std::fs::read(file).unwrap();
            assert!(written.len() > 100, "{format} is {} bytes", written.len());
            if format == "csv" {
                let text = String::from_utf8(written).unwrap();
                assert!(text.lines().any(|l| l == "summary,opened,count,3"), "{text}");
            }
        }
        let mut args: Vec<String> = ["report", "--from", &to, "--to", &from, "--format", "csv", "--out"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(dir.join("mal.csv").to_str().unwrap().to_owned());
        args.extend(desk.db.cli_args());
        let out = run_cli(bin(), &args, None);
        assert!(!out.status.success(), "a period that ends before it starts is refused");
        assert!(!String::from_utf8_lossy(&out.stderr).trim().is_empty());
        assert!(!dir.join("mal.csv").exists(), "nothing is written on an error");
    }
}

#[tokio::test]
async fn a_feed_token_reads_the_feed_without_free_text_and_nothing_else() {
    for db in databases() {
        let desk = Desk::start(db).await;
        three_tickets(&desk).await;
        let out = mesa(&desk.db, &["token", "create", "--email", "gerente@mesa.test", "--scope", "feed"], None);
        let feed = out.lines().last().unwrap().trim().to_owned();

        let res = desk.http.get(desk.server.url("/api/v1/feed/tickets.csv")).bearer_auth(&feed).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("number,type,status,priority,channel,"), "{}", lines[0]);
        assert_eq!(lines.len(), 4, "a header and three tickets: {text}");
        assert!(lines[3].contains(",phone,"), "{}", lines[3]);
        for secret in ["Impresora", "atascado", "Clave", "teléfono", "@mesa.test"] {
            assert!(!text.contains(secret), "the feed carries no free text, found {secret:?}: {text}");
        }
        let (s, json_feed) = desk.get(&feed, "/api/v1/feed/tickets.json?since=2000-01-01").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(json_feed["items"].as_array().unwrap().len(), 3);
        assert_eq!(json_feed["items"][2]["channel"], "phone");
        let (s, future) = desk.get(&feed, "/api/v1/feed/tickets.json?since=2999-01-01").await;
        assert_eq!((s, future["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
        let (s, body) = desk.get(&feed, "/api/v1/feed/tickets.json?since=ayer").await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("since")));
        let (s, _) = desk.get(&feed, "/api/v1/reports/summary").await;
        assert_eq!(s, StatusCode::OK, "a feed token reads the report too");

        for path in ["/api/v1/tickets", "/api/v1/tickets/1", "/api/v1/me", "/api/v1/users"] {
            let (s, body) = desk.get(&feed, path).await;
            assert_eq!((s, code(&body)), (StatusCode::FORBIDDEN, "forbidden"), "{path}");
        }
        let (s, _) = desk.post(&feed, "/api/v1/tickets", json!({"subject": "a", "description": "b"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = desk.get(&desk.ana, "/api/v1/feed/tickets.json").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "requesters read no feed");

        let mut args: Vec<String> =
            ["token", "create", "--email", "ana@mesa.test", "--scope", "feed"].iter().map(|s| s.to_string()).collect();
        args.extend(desk.db.cli_args());
        let out = run_cli(bin(), &args, None);
        assert!(!out.status.success(), "a requester gets no feed token");
    }
}
