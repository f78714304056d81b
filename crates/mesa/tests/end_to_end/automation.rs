//! Automation: run with an injected clock, and exactly once with two servers.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::Utc;
use mesa_testkit::{TestServer, databases};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, bin, mesa};

fn lines(out: &str) -> BTreeSet<String> {
    out.lines().map(str::to_owned).collect()
}

async fn status(desk: &Desk, n: i64) -> Value {
    desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await.1
}

#[tokio::test]
async fn automation_closes_times_out_resumes_and_warns_once_at_the_injected_time() {
    for db in databases() {
        let desk = Desk::start_with(db, &["--automation-interval-secs", "0"]).await;
        let solved = desk.open(&desk.ana, "Solucionado", "a").await;
        desk.transition(&desk.agent, solved, json!({"to": "solved", "resolution": "Listo"})).await;
        let waiting = desk.open(&desk.ana, "Esperando", "b").await;
        desk.transition(&desk.agent, waiting, json!({"to": "on_hold", "reason": "requester"})).await;
        let vendor = desk.open(&desk.ana, "Proveedor", "c").await;
        let resume_at = (Utc::now() + chrono::Duration::days(2)).to_rfc3339();
        let (s, body) = desk
            .transition(&desk.agent, vendor, json!({"to": "on_hold", "reason": "vendor", "resume_at": resume_at}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["sla"]["resolution"]["state"], "paused", "vendor holds pause the clocks");
        let late = desk.open(&desk.ana, "Sin atender", "d").await;

        let soon = (Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
        let out = mesa(&desk.db, &["automation", "run", "--now", &soon], None);
        assert!(lines(&out).is_empty(), "nothing is due yet: {out}");

        let later = (Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let expected: BTreeSet<String> = [
            format!("ticket {solved}: auto_close"),
            format!("ticket {waiting}: requester_timeout"),
            format!("ticket {vendor}: resume"),
            format!("ticket {late}: response_warning"),
            format!("ticket {late}: response_breach"),
            format!("ticket {late}: resolution_warning"),
            format!("ticket {late}: resolution_breach"),
        ]
        .into();
        let dry = mesa(&desk.db, &["automation", "run", "--now", &later, "--dry-run"], None);
        assert_eq!(lines(&dry), expected, "{db:?}");
        assert_eq!(status(&desk, solved).await["status"], "solved", "a dry run changes nothing");

        let wet = mesa(&desk.db, &["automation", "run", "--now", &later], None);
        assert_eq!(lines(&wet), expected, "{db:?}");
        let again = mesa(&desk.db, &["automation", "run", "--now", &later], None);
        assert!(lines(&again).is_empty(), "each action happens once: {again}");

        assert_eq!(status(&desk, solved).await["status"], "closed");
        let timed_out = status(&desk, waiting).await;
        assert_eq!((timed_out["status"].as_str(), timed_out["outcome"].as_str()), (Some("solved"), Some("solved")));
        assert!(timed_out["resolution"].as_str().unwrap().contains("solicitante"));
        assert_eq!(status(&desk, vendor).await["status"], "in_progress");
        let (_, history) = desk.get(&desk.admin, &format!("/api/v1/tickets/{solved}/history")).await;
        let auto: Vec<&Value> = history.as_array().unwrap().iter().filter(|h| h["field"] == "automation").collect();
        assert_eq!(auto.len(), 1);
        assert_eq!(auto[0]["after"], "auto_close");
        assert!(auto[0]["actor"].is_null(), "automation acts as the system");
        let (_, history) = desk.get(&desk.admin, &format!("/api/v1/tickets/{late}/history")).await;
        assert!(history.to_string().contains("resolution_breach"), "breaches are recorded in the history");
    }
}

#[tokio::test]
async fn tickets_carry_their_service_targets_and_the_queue_sorts_by_due_date() {
    for db in databases() {
        let desk = Desk::start_with(db, &["--automation-interval-secs", "0"]).await;
        let (s, _) = desk
            .post_put(
                "PUT",
                &desk.admin,
                "/api/v1/sla-targets",
                json!({"priority": "critical", "response_minutes": 30, "resolution_minutes": 120}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = desk
            .post_put(
                "PUT",
                &desk.agent,
                "/api/v1/sla-targets",
                json!({"priority": "critical", "response_minutes": 30, "resolution_minutes": 120}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, low) = desk
            .post(&desk.ana, "/api/v1/tickets", json!({"subject": "baja", "description": "x", "priority": "low"}))
            .await;
        // critical is the desk's call: an agent opens it for the requester
        let (_, critical) = desk
            .post(
                &desk.agent,
                "/api/v1/tickets",
                json!({"subject": "crítica", "description": "x", "priority": "critical", "requester_email": "ana@mesa.test"}),
            )
            .await;
        assert_eq!(critical["sla"]["response"]["target_minutes"], 30);
        assert_eq!(critical["sla"]["resolution"]["target_minutes"], 120);
        assert_eq!(critical["sla"]["resolution"]["state"], "running");
        assert!(critical["resolution_due_at"].is_string() && critical["response_due_at"].is_string());
        assert_eq!(low["sla"]["resolution"]["target_minutes"], 40 * 60, "built-in default for low");
        let (_, list) = desk.get(&desk.agent, "/api/v1/tickets?sort=due").await;
        let order: Vec<i64> = list["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect();
        assert_eq!(order, vec![critical["number"].as_i64().unwrap(), low["number"].as_i64().unwrap()]);
        assert!(list["items"][0]["sla"]["response"]["state"].is_string());
        let (s, body) = desk.get(&desk.agent, "/api/v1/tickets?sla=breached").await;
        assert_eq!((s, body["total"].as_i64()), (StatusCode::OK, Some(0)));
        let (s, _) = desk.get(&desk.agent, "/api/v1/tickets?sla=late").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        // reclassifying recomputes the clocks; requesters may not reclassify
        let low_n = low["number"].as_i64().unwrap();
        let (s, body) = desk
            .post_put("PATCH", &desk.agent, &format!("/api/v1/tickets/{low_n}"), json!({"priority": "critical"}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["sla"]["resolution"]["target_minutes"], 120);
        let (s, _) =
            desk.post_put("PATCH", &desk.ana, &format!("/api/v1/tickets/{low_n}"), json!({"priority": "low"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, body) =
            desk.post_put("PATCH", &desk.agent, &format!("/api/v1/tickets/{low_n}"), json!({"service_id": 999})).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("service_id")));
        let (_, history) = desk.get(&desk.agent, &format!("/api/v1/tickets/{low_n}/history")).await;
        assert!(history.as_array().unwrap().iter().any(|h| h["field"] == "priority" && h["after"] == "critical"));
        // a first public reply stops the response clock
        let n = critical["number"].as_i64().unwrap();
        desk.post(&desk.agent, &format!("/api/v1/tickets/{n}/replies"), json!({"body": "En camino"})).await;
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert!(matches!(t["sla"]["response"]["state"].as_str(), Some("met" | "breached")));
    }
}

#[tokio::test]
async fn two_servers_on_one_database_auto_close_each_ticket_exactly_once() {
    for db in databases() {
        let desk = Desk::start_with(db, &["--automation-interval-secs", "1"]).await;
        let second = TestServer::start(bin(), &desk.db, &["--automation-interval-secs", "1"]);
        // round-the-clock calendar and a 2-second auto-close, so the test runs at any hour
        let all_day = json!(["00:00-24:00"]);
        let (s, body) = desk
            .post_put(
                "PUT",
                &desk.admin,
                "/api/v1/calendars/default",
                json!({"timezone": "America/Bogota",
                "colombian_holidays": false, "hours": {"monday": all_day, "tuesday": all_day, "wednesday": all_day,
                "thursday": all_day, "friday": all_day, "saturday": all_day, "sunday": all_day}}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        let (s, _) = desk
            .post_put(
                "PUT",
                &desk.admin,
                "/api/v1/settings/automation",
                json!({"auto_close": true, "auto_close_after_hours": 0.0005, "approval_reminder": false}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let mut numbers = Vec::new();
        for i in 0..6 {
            let n = desk.open(&desk.ana, &format!("caso {i}"), "x").await;
            // alternate servers, so both see the tickets
            let base = if i % 2 == 0 { &desk.server.base_url } else { &second.base_url };
            let res = desk
                .http
                .post(format!("{base}/api/v1/tickets/{n}/transitions"))
                .bearer_auth(&desk.agent)
                .json(&json!({"to": "solved", "resolution": "ok"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            numbers.push(n);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(40);
        loop {
            let (_, list) = desk.get(&desk.agent, "/api/v1/tickets?status=closed").await;
            if list["total"].as_i64() == Some(numbers.len() as i64) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{db:?}: tickets were not auto-closed: {list}");
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // let both workers run a few more passes: nothing must happen twice
        tokio::time::sleep(Duration::from_millis(2500)).await;
        for n in numbers {
            let (_, history) = desk.get(&desk.admin, &format!("/api/v1/tickets/{n}/history")).await;
            let h = history.as_array().unwrap();
            assert_eq!(h.iter().filter(|r| r["field"] == "automation").count(), 1, "{db:?} ticket {n}: {history}");
            assert_eq!(h.iter().filter(|r| r["field"] == "status" && r["after"] == "closed").count(), 1);
        }
    }
}
