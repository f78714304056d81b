//! Vendors, contracts and escalation to a vendor (issue 15; seed 001 step 7,
//! seed 003 steps 6–7), on both databases.

use chrono::{DateTime, Duration, Utc};
use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, code};
use crate::web::Web;

async fn created(desk: &Desk, path: &str, body: Value) -> Value {
    let (status, out) = desk.post(&desk.admin, path, body).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {out}");
    out
}

fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&chrono_tz::America::Bogota).date_naive()
}

fn contract_body(vendor: &Value, number: &str, services: &[&Value], from: i64, to: i64) -> Value {
    json!({
        "vendor_id": vendor["id"], "number": number, "object": "Soporte de impresoras",
        "supervisor_email": "gerente@mesa.test",
        "starts_on": (today() + Duration::days(from)).to_string(),
        "ends_on": (today() + Duration::days(to)).to_string(),
        "service_ids": services.iter().map(|s| s["id"].clone()).collect::<Vec<_>>(),
        "response_hours": 4, "resolution_hours": 16, "calendar": "default",
    })
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap_or_else(|| panic!("not a time: {v}")).parse().unwrap()
}

#[tokio::test]
async fn vendors_and_contracts_are_admin_writes_read_by_staff_and_managers() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let vendor_body = json!({"name": "Impresoras SAS", "nit": "800.197.268",
            "contacts": [{"name": "Mesa del proveedor", "email": "soporte@impresoras.test", "phone": "6015550000"}]});
        for (token, expected) in [
            (&desk.ana, StatusCode::FORBIDDEN),
            (&desk.agent, StatusCode::FORBIDDEN),
            (&desk.manager, StatusCode::FORBIDDEN),
        ] {
            let (status, body) = desk.post(token, "/api/v1/vendors", vendor_body.clone()).await;
            assert_eq!((status, code(&body)), (expected, "forbidden"));
        }
        let res = desk.http.get(desk.server.url("/api/v1/vendors")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let vendor = created(&desk, "/api/v1/vendors", vendor_body.clone()).await;
        assert_eq!(vendor["nit"], "800197268-4", "the DIAN check digit is added");
        assert_eq!(vendor["contacts"][0]["email"], "soporte@impresoras.test");
        let (status, body) = desk.post(&desk.admin, "/api/v1/vendors", vendor_body).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "nit_taken"));
        let (status, body) =
            desk.post(&desk.admin, "/api/v1/vendors", json!({"name": "X", "nit": "800197268-5"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("nit")));
        for (token, expected) in
            [(&desk.ana, StatusCode::FORBIDDEN), (&desk.agent, StatusCode::OK), (&desk.manager, StatusCode::OK)]
        {
            let (status, body) = desk.get(token, "/api/v1/vendors").await;
            assert_eq!(status, expected, "{body}");
            let (status, _) = desk.get(token, "/api/v1/contracts").await;
            assert_eq!(status, expected);
        }
        let (_, list) = desk.get(&desk.agent, "/api/v1/vendors").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        let service = created(&desk, "/api/v1/services", json!({"name": "Impresoras", "category": "Hardware"})).await;
        let body = contract_body(&vendor, "CT-2026-001", &[&service], -300, 20);
        let (status, out) = desk.post(&desk.agent, "/api/v1/contracts", body.clone()).await;
        assert_eq!((status, code(&out)), (StatusCode::FORBIDDEN, "forbidden"));
        let contract = created(&desk, "/api/v1/contracts", body.clone()).await;
        assert_eq!((contract["active"].as_bool(), contract["expiring"].as_bool()), (Some(true), Some(true)));
        assert_eq!(contract["supervisor_email"], "gerente@mesa.test");
        let (status, out) = desk.post(&desk.admin, "/api/v1/contracts", body.clone()).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "number_taken"));
        let mut bad = body.clone();
        bad["number"] = json!("CT-X");
        for (field, value) in [
            ("ends_on", json!("2020-01-01")),
            ("supervisor_email", json!("nadie@mesa.test")),
            ("calendar", json!("lunar")),
            ("service_ids", json!([])),
            ("resolution_hours", json!(2)),
            ("vendor_id", json!(999)),
        ] {
            let mut b = bad.clone();
            b[field] = value;
            let (status, out) = desk.post(&desk.admin, "/api/v1/contracts", b).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {out}");
            assert_eq!(out["error"]["field"].as_str(), Some(field), "{out}");
        }
        created(&desk, "/api/v1/contracts", contract_body(&vendor, "CT-LARGO", &[&service], -10, 400)).await;
        let (_, expiring) = desk.get(&desk.manager, "/api/v1/contracts?expiring=true").await;
        let numbers: Vec<&str> =
            expiring["items"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect();
        assert_eq!(numbers, ["CT-2026-001"], "only the one ending within 30 days");

        // The page: staff and managers read it, in Spanish, with the expiring contract marked.
        let (page, html) = Web::sign_in(&desk, "gerente@mesa.test").await.get("/admin/vendors").await;
        assert_eq!(page.status, StatusCode::OK);
        for expected in
            ["Proveedores, contratos y activos", "CT-2026-001", "Por vencer", "800197268-4", "Impresoras SAS"]
        {
            assert!(html.contains(expected), "{expected:?} missing");
        }
        let (page, _) = Web::sign_in(&desk, "ana@mesa.test").await.get("/admin/vendors").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "requesters do not see vendors");
    }
}

#[tokio::test]
async fn a_vendor_misses_its_response_target_and_meets_its_resolution_target() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let vendor = created(
            &desk,
            "/api/v1/vendors",
            json!({"name": "Redes y Cía", "nit": "899999063-3", "contacts": [{"name": "NOC", "phone": "018000"}]}),
        )
        .await;
        let printers = created(&desk, "/api/v1/services", json!({"name": "Impresoras", "category": "Hardware"})).await;
        let mail = created(&desk, "/api/v1/services", json!({"name": "Correo", "category": "Software"})).await;
        let contract =
            created(&desk, "/api/v1/contracts", contract_body(&vendor, "CT-1", &[&printers], -100, 200)).await;
        let expired = created(&desk, "/api/v1/contracts", contract_body(&vendor, "CT-0", &[&printers], -400, -1)).await;
        let other = created(&desk, "/api/v1/contracts", contract_body(&vendor, "CT-9", &[&mail], -100, 200)).await;

        let (status, ticket) = desk
            .post(
                &desk.ana,
                "/api/v1/tickets",
                json!({"subject": "La impresora no imprime", "description": "Atasco", "service_id": printers["id"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{ticket}");
        let n = ticket["number"].as_i64().unwrap();
        let (_, offered) = desk.get(&desk.agent, &format!("/api/v1/contracts?ticket={n}")).await;
        let offered: Vec<&str> =
            offered["items"].as_array().unwrap().iter().map(|c| c["number"].as_str().unwrap()).collect();
        assert_eq!(offered, ["CT-1"], "only active contracts covering the ticket's service");

        let path = format!("/api/v1/tickets/{n}/escalations");
        // Monday 23 November 2026, 09:00 in Bogotá (a working day).
        let sent = "2026-11-23T09:00:00-05:00";
        let body = |contract: &Value| {
            json!({"contract_id": contract["id"], "vendor_case": "INC-7788",
            "note": "Se envía el equipo al proveedor", "at": sent})
        };
        for c in [&expired, &other] {
            let (status, out) = desk.post(&desk.agent, &path, body(c)).await;
            assert_eq!(
                (status, out["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("contract_id"))
            );
        }
        let (status, out) = desk.post(&desk.ana, &path, body(&contract)).await;
        assert_eq!((status, code(&out)), (StatusCode::FORBIDDEN, "forbidden"));
        let (status, out) = desk.post(&desk.manager, &path, body(&contract)).await;
        assert_eq!((status, code(&out)), (StatusCode::FORBIDDEN, "forbidden"));
        let (status, esc) = desk.post(&desk.agent, &path, body(&contract)).await;
        assert_eq!(status, StatusCode::CREATED, "{esc}");
        assert_eq!((esc["status"].as_str(), esc["vendor_case"].as_str()), (Some("open"), Some("INC-7788")));
        // 4 business hours from 09:00 with lunch 12–13: 14:00; 16 hours: Wednesday 09:00.
        assert_eq!(instant(&esc["response_due_at"]), "2026-11-23T19:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(instant(&esc["resolution_due_at"]), "2026-11-25T14:00:00Z".parse::<DateTime<Utc>>().unwrap());
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!((t["status"].as_str(), t["hold_reason"].as_str()), (Some("on_hold"), Some("vendor")), "{t}");
        let (status, out) = desk.post(&desk.agent, &path, body(&contract)).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "invalid_transition"), "already on hold");

        let id = esc["id"].as_i64().unwrap();
        let events = format!("/api/v1/escalations/{id}/events");
        let (status, out) =
            desk.post(&desk.agent, &events, json!({"kind": "responded", "at": "2026-11-23T08:00:00-05:00"})).await;
        assert_eq!((status, out["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("at")));
        let (status, out) = desk.post(&desk.agent, &events, json!({"kind": "answered"})).await;
        assert_eq!((status, out["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("kind")));
        let (status, out) = desk.post(&desk.ana, &events, json!({"kind": "responded"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "requesters do not see escalations: {out}");
        // The vendor answers at 15:00, an hour late.
        let (status, out) = desk
            .post(
                &desk.agent,
                &events,
                json!({"kind": "responded", "note": "Recibido", "at": "2026-11-23T15:00:00-05:00"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{out}");
        assert_eq!(out["response_met"], false);
        // The supervisor (a manager here) follows the case up (seed 003).
        let (status, out) = desk
            .post(
                &desk.manager,
                &events,
                json!({"kind": "follow_up", "note": "Llamé al proveedor", "at": "2026-11-24T09:00:00-05:00"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{out}");
        let (status, out) =
            desk.post(&desk.agent, &events, json!({"kind": "solved", "at": "2026-11-24T16:00:00-05:00"})).await;
        assert_eq!(status, StatusCode::CREATED, "{out}");

        let (status, esc) = desk.get(&desk.manager, &format!("/api/v1/escalations/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{esc}");
        assert_eq!(
            (esc["response_met"].as_bool(), esc["resolution_met"].as_bool()),
            (Some(false), Some(true)),
            "{esc}"
        );
        assert_eq!((esc["response_state"].as_str(), esc["resolution_state"].as_str()), (Some("breached"), Some("met")));
        assert_eq!(esc["status"], "solved");
        let kinds: Vec<&str> = esc["events"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["responded", "follow_up", "solved"]);
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "in_progress", "the vendor solved it: back to the agent");
        let (status, _) = desk.get(&desk.ana, &format!("/api/v1/escalations/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "requesters do not see escalations");
        let (_, list) = desk.get(&desk.agent, &path).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        let (status, report) = desk.get(&desk.manager, "/api/v1/reports/vendors").await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let ct1 = report["contracts"].as_array().unwrap().iter().find(|c| c["number"] == "CT-1").unwrap();
        let counts: Vec<i64> =
            ["escalations", "response_met", "response_missed", "resolution_met", "resolution_missed"]
                .iter()
                .map(|k| ct1[*k].as_i64().unwrap())
                .collect();
        assert_eq!(counts, [1, 0, 1, 1, 0], "{report}");
        let (status, _) = desk.get(&desk.ana, "/api/v1/reports/vendors").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = desk.post(&desk.agent, &events, json!({"kind": "closed"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, out) = desk.post(&desk.agent, &events, json!({"kind": "follow_up", "note": "otra"})).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "escalation_closed"));
        let (status, _) = desk.get(&desk.agent, "/api/v1/escalations/99999").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_vendor_and_asset_routes_are_in_the_openapi_document() {
    let desk = Desk::start(databases().remove(0)).await;
    let res = desk.http.get(desk.server.url("/api/v1/openapi.json")).send().await.unwrap();
    let doc: Value = res.json().await.unwrap();
    for (path, method, status) in [
        ("/api/v1/vendors", "post", "201"),
        ("/api/v1/contracts", "get", "200"),
        ("/api/v1/tickets/{number}/escalations", "post", "201"),
        ("/api/v1/escalations/{id}", "get", "200"),
        ("/api/v1/escalations/{id}/events", "post", "409"),
        ("/api/v1/assets", "get", "200"),
        ("/api/v1/assets/{id}", "get", "404"),
        ("/api/v1/tickets/{number}/warranty-claims", "post", "201"),
        ("/api/v1/warranty-claims/{id}/result", "post", "200"),
        ("/api/v1/tickets/{number}/assessments", "post", "201"),
    ] {
        let responses = &doc["paths"][path][method]["responses"];
        assert!(responses[status].is_object(), "{method} {path}: no {status} in {responses}");
    }
}
