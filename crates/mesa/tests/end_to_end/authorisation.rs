//! Who sees and does what (every route is checked).

use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Desk, code};

#[tokio::test]
async fn a_requester_never_sees_or_touches_another_requesters_ticket() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Mi equipo", "Privado de Ana").await;
        let (status, body) = desk.get(&desk.beto, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"), "same answer as a missing ticket");
        let (status, _) = desk.get(&desk.beto, &format!("/api/v1/tickets/{n}/history")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = desk.post(&desk.beto, &format!("/api/v1/tickets/{n}/replies"), json!({"body": "hola"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = desk.transition(&desk.beto, n, json!({"to": "closed"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, list) = desk.get(&desk.beto, "/api/v1/tickets").await;
        assert_eq!(list["total"], 0);
        let (_, list) = desk.get(&desk.beto, "/api/v1/tickets?q=privado").await;
        assert_eq!(list["total"], 0);
        let (_, list) = desk.get(&desk.ana, "/api/v1/tickets").await;
        assert_eq!(list["total"], 1);
        for staff in [&desk.agent, &desk.admin, &desk.manager] {
            let (status, _) = desk.get(staff, &format!("/api/v1/tickets/{n}")).await;
            assert_eq!(status, StatusCode::OK);
        }
    }
}

#[tokio::test]
async fn internal_notes_never_reach_the_requester_in_the_thread_or_the_history() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Portátil lento", "Muy lento").await;
        let path = format!("/api/v1/tickets/{n}/replies");
        let (status, _) = desk.post(&desk.agent, &path, json!({"body": "Respuesta pública", "internal": false})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, note) =
            desk.post(&desk.agent, &path, json!({"body": "Nota SECRETA del técnico", "internal": true})).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(note["internal"], true);

        let (_, seen_by_ana) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}")).await;
        let (_, history_for_ana) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}/history")).await;
        let everything = format!("{seen_by_ana}{history_for_ana}");
        assert!(everything.contains("Respuesta pública"));
        assert!(!everything.contains("SECRETA"), "a requester saw an internal note: {everything}");
        assert!(!everything.contains("internal_note"));

        let (_, seen_by_agent) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(seen_by_agent["thread"].as_array().unwrap().len(), 2);
        let (_, history) = desk.get(&desk.manager, &format!("/api/v1/tickets/{n}/history")).await;
        assert!(history.to_string().contains("internal_note"));

        let (status, body) = desk.post(&desk.ana, &path, json!({"body": "yo también", "internal": true})).await;
        assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
        let (status, _) = desk.post(&desk.ana, &path, json!({"body": "¿Alguna novedad?"})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn only_admins_manage_users_and_the_catalog() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let new_user =
            json!({"email": "otro@mesa.test", "name": "Otro", "role": "agent", "password": "una-clave-larga"});
        for token in [&desk.agent, &desk.ana, &desk.manager] {
            let (status, _) = desk.post(token, "/api/v1/users", new_user.clone()).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _) = desk.get(token, "/api/v1/users").await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _) = desk.post(token, "/api/v1/departments", json!({"name": "Nueva"})).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _) = desk.post(token, "/api/v1/services", json!({"name": "S", "category": "C"})).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, _) =
                desk.post_put("PATCH", token, "/api/v1/users/beto@mesa.test", json!({"role": "admin"})).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            for path in ["/api/v1/services/1", "/api/v1/departments/1", "/api/v1/buildings/1", "/api/v1/teams/1"] {
                let (status, _) = desk.post_put("PATCH", token, path, json!({"active": false})).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "PATCH {path}");
            }
            let (status, _) =
                desk.post_put("PUT", token, "/api/v1/settings/labels", json!({"es": {"status.new": "X"}})).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        let (status, user) = desk.post(&desk.admin, "/api/v1/users", new_user.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        assert_eq!(user["role"], "agent");
        assert!(user.get("password_hash").is_none() && user.get("password").is_none());
        let (status, body) = desk.post(&desk.admin, "/api/v1/users", new_user).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "email_taken"));
        let (status, body) =
            desk.post(&desk.admin, "/api/v1/users", json!({"email": "x@mesa.test", "name": "X", "role": "root"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")));
        // everyone signed in may read the directory (the request form needs it)
        let (status, _) = desk.get(&desk.ana, "/api/v1/services").await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn managers_read_everything_and_change_nothing() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Impresora", "Atasco").await;
        let (status, _) =
            desk.post(&desk.manager, "/api/v1/tickets", json!({"subject": "a", "description": "b"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) =
            desk.post(&desk.manager, &format!("/api/v1/tickets/{n}/replies"), json!({"body": "hola"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = desk.transition(&desk.manager, n, json!({"to": "in_progress"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = desk
            .post(&desk.manager, &format!("/api/v1/tickets/{n}/assign"), json!({"assignee_email": "tecnico@mesa.test"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, list) = desk.get(&desk.manager, "/api/v1/tickets").await;
        assert_eq!((status, list["total"].as_i64()), (StatusCode::OK, Some(1)));
    }
}

#[tokio::test]
async fn every_route_but_health_and_the_api_document_needs_a_valid_token() {
    let desk = Desk::start(mesa_testkit::Db::Sqlite).await;
    let n = desk.open(&desk.ana, "x", "y").await;
    let routes = [
        ("GET", "/api/v1/tickets".to_owned()),
        ("POST", "/api/v1/tickets".to_owned()),
        ("GET", format!("/api/v1/tickets/{n}")),
        ("GET", format!("/api/v1/tickets/{n}/history")),
        ("POST", format!("/api/v1/tickets/{n}/replies")),
        ("POST", format!("/api/v1/tickets/{n}/assign")),
        ("POST", format!("/api/v1/tickets/{n}/transitions")),
        ("POST", format!("/api/v1/tickets/{n}/attachments")),
        ("GET", "/api/v1/attachments/1".to_owned()),
        ("GET", "/api/v1/users".to_owned()),
        ("GET", "/api/v1/services".to_owned()),
        ("GET", "/api/v1/me".to_owned()),
        ("GET", "/api/v1/calendars".to_owned()),
        ("GET", "/api/v1/calendars/default".to_owned()),
        ("PUT", "/api/v1/calendars/default".to_owned()),
        ("GET", "/api/v1/calendars/default/due?start=2026-11-20T21:00:00Z&hours=1".to_owned()),
        ("GET", "/api/v1/settings/history".to_owned()),
        ("PATCH", "/api/v1/users/ana@mesa.test".to_owned()),
        ("PATCH", "/api/v1/services/1".to_owned()),
        ("PATCH", "/api/v1/departments/1".to_owned()),
        ("PATCH", "/api/v1/buildings/1".to_owned()),
        ("PATCH", "/api/v1/teams/1".to_owned()),
        ("GET", "/api/v1/settings/labels".to_owned()),
        ("PUT", "/api/v1/settings/labels".to_owned()),
        ("GET", "/api/v1/settings/routing".to_owned()),
        ("PUT", "/api/v1/settings/routing".to_owned()),
        ("POST", format!("/api/v1/tickets/{n}/escalate")),
        ("POST", format!("/api/v1/tickets/{n}/de-escalate")),
        ("POST", format!("/api/v1/tickets/{n}/authorization")),
        ("GET", "/api/v1/users/ana@mesa.test/absences".to_owned()),
        ("POST", "/api/v1/users/ana@mesa.test/absences".to_owned()),
        ("DELETE", "/api/v1/absences/1".to_owned()),
        ("PUT", "/api/v1/buildings/1".to_owned()),
        ("PUT", "/api/v1/departments/1".to_owned()),
        ("PUT", "/api/v1/services/1".to_owned()),
        // Maintenance plans and logbooks (issue 17).
        ("GET", "/api/v1/maintenance-plans".to_owned()),
        ("POST", "/api/v1/maintenance-plans".to_owned()),
        ("GET", "/api/v1/maintenance-plans/compliance".to_owned()),
        ("GET", "/api/v1/maintenance-plans/1".to_owned()),
        ("PUT", "/api/v1/maintenance-plans/1".to_owned()),
        ("POST", "/api/v1/maintenance-plans/1/archive".to_owned()),
        ("GET", format!("/api/v1/tickets/{n}/checklist")),
        ("PUT", format!("/api/v1/tickets/{n}/checklist/0")),
        ("GET", "/api/v1/logbooks".to_owned()),
        ("GET", "/api/v1/logbooks/UPS/entries".to_owned()),
        ("POST", "/api/v1/logbooks/UPS/entries".to_owned()),
        ("GET", "/api/v1/logbooks/UPS/entries.csv".to_owned()),
        ("GET", "/api/v1/logbook-entries/1/file".to_owned()),
        // Reports and the BI feed (issue 17).
        ("GET", "/api/v1/reports/summary".to_owned()),
        ("GET", "/api/v1/feed/tickets.csv".to_owned()),
        ("GET", "/api/v1/feed/tickets.json".to_owned()),
        ("GET", "/api/v1/indicators".to_owned()),
        ("POST", "/api/v1/indicators".to_owned()),
        ("GET", "/api/v1/indicators/1".to_owned()),
        ("PUT", "/api/v1/indicators/1".to_owned()),
        ("GET", "/api/v1/indicators/values".to_owned()),
        ("GET", "/api/v1/indicators/values.csv".to_owned()),
        ("GET", "/api/v1/improvement-actions".to_owned()),
        ("POST", "/api/v1/improvement-actions".to_owned()),
        ("POST", "/api/v1/improvement-actions/1/status".to_owned()),
        ("GET", "/api/v1/settings/logo".to_owned()),
        ("PUT", "/api/v1/settings/logo".to_owned()),
        ("DELETE", "/api/v1/settings/logo".to_owned()),
    ];
    let forged = format!("mesa_{}", "0".repeat(64));
    for (method, path) in routes {
        for token in [None, Some("garbage"), Some(forged.as_str())] {
            let mut req = desk.http.request(method.parse().unwrap(), desk.server.url(&path));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            let res = req.json(&json!({})).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path} with {token:?}");
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(code(&body), "unauthenticated");
        }
    }
}
