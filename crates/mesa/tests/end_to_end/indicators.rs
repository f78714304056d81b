//! Indicators with goals and improvement actions through the real binary
//! (issue 17): who defines and reads them, a month's value against its
//! goal, the action a missed month asks for, its steps to verified, the
//! quality-system CSV and the report that lists the action.

use chrono::Utc;
use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, code};

fn indicator(code: &str, formula: &str, goal: f64) -> Value {
    json!({"code": code, "name": format!("Indicador {code}"), "formula": formula, "goal": goal})
}

#[tokio::test]
async fn a_missed_month_asks_for_an_action_tracked_to_verified() {
    for db in databases() {
        let desk = Desk::start(db).await;
        // Three tickets this month, one solved: 33.3 solved per 100 opened.
        let first = desk.open(&desk.ana, "Impresora", "Atasco").await;
        desk.open(&desk.ana, "Correo", "No llega").await;
        desk.open(&desk.beto, "Red", "Sin red").await;
        let (s, _) = desk.transition(&desk.agent, first, json!({"to": "solved", "resolution": "Listo"})).await;
        assert_eq!(s, StatusCode::OK);
        // The desk's month (Bogotá), which the values are counted in.
        let today = Utc::now().with_timezone(&chrono_tz::America::Bogota).date_naive();
        let month = today.format("%Y-%m").to_string();

        let (s, made) = desk.post(&desk.admin, "/api/v1/indicators", indicator("IND-01", "solved_percent", 90.0)).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        assert_eq!(made["direction"], "at_least");
        let id = made["id"].as_i64().unwrap();
        let (s, time) =
            desk.post(&desk.admin, "/api/v1/indicators", indicator("IND-02", "median_resolution_hours", 500.0)).await;
        assert_eq!((s, time["direction"].as_str()), (StatusCode::CREATED, Some("at_most")), "{time}");
        let (s, body) = desk.post(&desk.admin, "/api/v1/indicators", indicator("IND-01", "solved_percent", 1.0)).await;
        assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "code_taken"));
        let (s, body) =
            desk.post(&desk.admin, "/api/v1/indicators", indicator("IND-03", "response_met_percent", 2.0e6)).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("goal")));
        let (s, body) = desk.post(&desk.admin, "/api/v1/indicators", indicator("IND-03", "magia", 1.0)).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("formula")));
        let (s, _) = desk.post(&desk.agent, "/api/v1/indicators", indicator("IND-04", "solved_percent", 1.0)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only administrators define indicators");

        let path = format!("/api/v1/indicators/values?month={month}");
        let (s, values) = desk.get(&desk.manager, &path).await;
        assert_eq!(s, StatusCode::OK, "{values}");
        let solved = &values["items"][0];
        assert_eq!(solved["indicator"]["code"], "IND-01");
        assert_eq!((solved["value"].as_f64(), solved["met"].as_bool()), (Some(33.3), Some(false)), "{solved}");
        assert_eq!(solved["action_required"], true);
        let resolution = &values["items"][1];
        assert_eq!(resolution["met"], true, "a few minutes is under 500 hours: {resolution}");
        let (s, body) = desk.get(&desk.ana, &path).await;
        assert_eq!((s, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
        let (s, body) = desk.get(&desk.agent, "/api/v1/indicators/values?month=2026-13").await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("month")));

        let action = json!({"indicator_id": id, "month": month, "what": "Reforzar el turno de la mañana",
                            "cause": "Dos técnicos de vacaciones", "due_date": "2099-01-31"});
        let mut to_requester = action.clone();
        to_requester["owner_email"] = json!("ana@mesa.test");
        let (s, body) = desk.post(&desk.agent, "/api/v1/improvement-actions", to_requester).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("owner_email")));
        let (s, body) = desk.post(&desk.manager, "/api/v1/improvement-actions", action.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "managers read, agents and administrators write: {body}");
        let (s, made) = desk.post(&desk.agent, "/api/v1/improvement-actions", action).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        assert_eq!((made["status"].as_str(), made["owner_name"].as_str()), (Some("open"), Some("tecnico@mesa.test")));
        let action_id = made["id"].as_i64().unwrap();
        let (_, values) = desk.get(&desk.agent, &path).await;
        assert_eq!(values["items"][0]["action_required"], false);
        assert_eq!(values["items"][0]["actions"][0]["id"], action_id);

        let status = format!("/api/v1/improvement-actions/{action_id}/status");
        let (s, body) = desk.post(&desk.agent, &status, json!({"status": "verified"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, done) = desk.post(&desk.agent, &status, json!({"status": "done"})).await;
        assert_eq!((s, done["status"].as_str()), (StatusCode::OK, Some("done")), "{done}");
        assert!(done["done_at"].is_string());
        let (s, verified) = desk.post(&desk.admin, &status, json!({"status": "verified"})).await;
        assert_eq!((s, verified["status"].as_str()), (StatusCode::OK, Some("verified")), "{verified}");
        let (s, body) = desk.post(&desk.admin, &status, json!({"status": "open"})).await;
        assert_eq!((s, code(&body)), (StatusCode::CONFLICT, "invalid_transition"));
        let (s, list) = desk.get(&desk.manager, "/api/v1/improvement-actions?status=verified").await;
        assert_eq!((s, list["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)));

        let res = desk
            .http
            .get(desk.server.url(&format!("/api/v1/indicators/values.csv?month={month}")))
            .bearer_auth(&desk.manager)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "code,name,period,value,goal,direction,met");
        assert_eq!(lines[1], format!("IND-01,Indicador IND-01,{month},33.3,90,at_least,no"));
        assert!(lines[2].starts_with("IND-02,") && lines[2].ends_with(",500,at_most,yes"), "{}", lines[2]);

        // The report of this month lists the action verified in it.
        let (s, report) = desk
            .get(&desk.manager, &format!("/api/v1/reports/summary?from={}&to={today}", today.format("%Y-%m-01")))
            .await;
        assert_eq!(s, StatusCode::OK);
        let listed = &report["improvement_actions"][0];
        assert_eq!((listed["indicator"].as_str(), listed["status"].as_str()), (Some("IND-01"), Some("verified")));

        let (s, archived) = desk
            .post_put(
                "PUT",
                &desk.admin,
                &format!("/api/v1/indicators/{id}"),
                json!({"code": "IND-01", "name": "Solucionados", "formula": "solved_percent", "goal": 90, "archived": true}),
            )
            .await;
        assert_eq!((s, archived["archived"].as_bool()), (StatusCode::OK, Some(true)), "{archived}");
        let (_, values) = desk.get(&desk.agent, &path).await;
        assert_eq!(values["items"].as_array().unwrap().len(), 1, "archived indicators get no value");
    }
}
