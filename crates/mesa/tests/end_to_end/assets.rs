//! The asset inventory, the CSV import and warranty claims (issue 15;
//! seed 001 step 6), on both databases.

use std::fmt::Write as _;

use chrono::{Duration, Utc};
use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, code, mesa};

async fn created(desk: &Desk, path: &str, body: Value) -> Value {
    let (status, out) = desk.post(&desk.admin, path, body).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {out}");
    out
}

fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&chrono_tz::America::Bogota).date_naive()
}

#[tokio::test]
async fn importing_a_thousand_assets_twice_changes_nothing_the_second_time() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let mut csv = String::from("inventory_tag,type,brand,model,serial,status,purchase_date,warranty_end\n");
        for i in 1..=1000 {
            let line = match i {
                100 => "INV-0100,Portátil,Lenovo,T14,SN100,roto,2024-01-10,2027-01-10".to_owned(),
                500 => "INV-0500,Portátil,Lenovo,T14,SN500,active,10/01/2024,2027-01-10".to_owned(),
                // The same tag as line 3 (row 2).
                900 => "inv-0002,Monitor,Dell,P2422H,SN900,active,,".to_owned(),
                _ => format!("INV-{i:04},Portátil,Lenovo,T14,SN{i},active,2024-01-10,2027-01-10"),
            };
            writeln!(csv, "{line}").unwrap();
        }
        let file = desk.db.data_path().join("inventario.csv");
        std::fs::write(&file, &csv).unwrap();
        let path = file.display().to_string();

        let dry = mesa(&desk.db, &["asset", "import", &path, "--dry-run"], None);
        let lines: Vec<&str> = dry.lines().collect();
        assert_eq!(lines.last(), Some(&"imported 997, updated 0, refused 3"), "{db:?}: {dry}");
        assert_eq!(lines.len(), 4, "one line per refused row: {dry}");
        assert!(lines[0].starts_with("line 101:") && lines[0].contains("status"), "{dry}");
        assert!(lines[1].starts_with("line 501:") && lines[1].contains("purchase_date"), "{dry}");
        assert!(lines[2].starts_with("line 901:") && lines[2].contains("line 3"), "{dry}");
        let (_, list) = desk.get(&desk.admin, "/api/v1/assets").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 0, "a dry run changes nothing");

        let real = mesa(&desk.db, &["asset", "import", &path], None);
        assert_eq!(real.lines().last(), Some("imported 997, updated 0, refused 3"), "{real}");
        let again = mesa(&desk.db, &["asset", "import", &path], None);
        assert_eq!(again.lines().last(), Some("imported 0, updated 0, refused 3"), "{again}");
        let (_, list) = desk.get(&desk.admin, "/api/v1/assets").await;
        assert_eq!(list["items"].as_array().unwrap().len(), 997);

        std::fs::write(
            &file,
            "inventory_tag,type,brand,model,serial,status,purchase_date,warranty_end\n\
             INV-0001,Portátil,Lenovo,T14,SN1,retired,2024-01-10,2027-01-10\n",
        )
        .unwrap();
        let changed = mesa(&desk.db, &["asset", "import", &path], None);
        assert_eq!(changed.lines().last(), Some("imported 0, updated 1, refused 0"));
        let (_, retired) = desk.get(&desk.manager, "/api/v1/assets?status=retired").await;
        assert_eq!(retired["items"][0]["inventory_tag"], "INV-0001");
        // An export imports back unchanged.
        let export = mesa(&desk.db, &["asset", "export"], None);
        assert_eq!(export.lines().count(), 998, "a header and 997 devices");
        assert!(export.starts_with("inventory_tag,type,brand,model,serial,status,purchase_date,warranty_end,"));
        std::fs::write(&file, &export).unwrap();
        let back = mesa(&desk.db, &["asset", "import", &path], None);
        assert_eq!(back.lines().last(), Some("imported 0, updated 0, refused 0"), "{back}");
        let (_, found) = desk.get(&desk.agent, "/api/v1/assets?q=sn77").await;
        let tags: Vec<&str> =
            found["items"].as_array().unwrap().iter().map(|a| a["inventory_tag"].as_str().unwrap()).collect();
        assert!(tags.contains(&"INV-0077") && tags.len() == 11, "{tags:?}");
    }
}

#[tokio::test]
async fn assets_are_admin_writes_and_a_requester_names_only_their_own_device() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let body = json!({"inventory_tag": "PC-001", "type": "Computador", "brand": "HP", "model": "ProDesk",
            "serial": "MXL1234", "assigned_to_email": "ana@mesa.test", "purchase_date": "2024-03-01",
            "warranty_end": (today() + Duration::days(365)).to_string()});
        for token in [&desk.ana, &desk.agent, &desk.manager] {
            let (status, out) = desk.post(token, "/api/v1/assets", body.clone()).await;
            assert_eq!((status, code(&out)), (StatusCode::FORBIDDEN, "forbidden"));
        }
        let pc = created(&desk, "/api/v1/assets", body.clone()).await;
        assert_eq!((pc["status"].as_str(), pc["assigned_to_email"].as_str()), (Some("active"), Some("ana@mesa.test")));
        let (status, out) = desk.post(&desk.admin, "/api/v1/assets", body).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "inventory_tag_taken"));
        let other = created(&desk, "/api/v1/assets", json!({"inventory_tag": "PC-002", "type": "Computador"})).await;

        let (_, mine) = desk.get(&desk.ana, "/api/v1/assets").await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 1, "a requester sees the devices assigned to them");
        let (_, none) = desk.get(&desk.beto, "/api/v1/assets").await;
        assert_eq!(none["items"].as_array().unwrap().len(), 0);
        let (status, _) = desk.get(&desk.beto, &format!("/api/v1/assets/{}", pc["id"])).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let n = desk.open(&desk.ana, "El computador no enciende", "Nada").await;
        let asset_path = format!("/api/v1/tickets/{n}/asset");
        let (status, out) = desk.post_put("PUT", &desk.ana, &asset_path, json!({"asset_id": other["id"]})).await;
        assert_eq!((status, out["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("asset_id")));
        let (status, out) = desk.post_put("PUT", &desk.ana, &asset_path, json!({"asset_id": pc["id"]})).await;
        assert_eq!((status, out["asset_id"].as_i64()), (StatusCode::OK, pc["id"].as_i64()));
        let (status, _) = desk.post_put("PUT", &desk.beto, &asset_path, json!({"asset_id": null})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "not beto's ticket");
        let (status, t) = desk
            .post(
                &desk.ana,
                "/api/v1/tickets",
                json!({"subject": "Pantalla", "description": "Parpadea", "asset_id": pc["id"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        let (_, page) = desk.get(&desk.ana, &format!("/api/v1/tickets/{}", t["number"])).await;
        assert_eq!(page["asset_id"], pc["id"]);
        let (status, out) = desk
            .post(&desk.ana, "/api/v1/tickets", json!({"subject": "Otro", "description": "x", "asset_id": other["id"]}))
            .await;
        assert_eq!((status, out["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("asset_id")));
        let (status, detail) = desk.get(&desk.ana, &format!("/api/v1/assets/{}", pc["id"])).await;
        assert_eq!(status, StatusCode::OK);
        let numbers: Vec<i64> =
            detail["tickets"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect();
        assert_eq!(numbers, [t["number"].as_i64().unwrap(), n], "newest first");
        assert_eq!(detail["serial"], "MXL1234");
    }
}

#[tokio::test]
async fn a_refused_warranty_claim_leads_to_an_assessment_that_retires_the_device() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let vendor = created(&desk, "/api/v1/vendors",
            json!({"name": "HP Colombia", "nit": "800197268", "contacts": [{"name": "Garantías", "email": "g@hp.test"}]}))
            .await;
        let under = created(
            &desk,
            "/api/v1/assets",
            json!({"inventory_tag": "IMP-1", "type": "Impresora",
            "serial": "CN12345", "warranty_end": today().to_string()}),
        )
        .await;
        let expired = created(
            &desk,
            "/api/v1/assets",
            json!({"inventory_tag": "IMP-2", "type": "Impresora",
            "warranty_end": (today() - Duration::days(1)).to_string()}),
        )
        .await;
        let n = desk.open(&desk.ana, "La impresora mancha", "Manchas en cada hoja").await;
        let claims = format!("/api/v1/tickets/{n}/warranty-claims");
        let claim_body = json!({"vendor_id": vendor["id"], "case_number": "RMA-55", "note": "Se envía con cargador"});
        let (status, out) = desk.post(&desk.agent, &claims, claim_body.clone()).await;
        assert_eq!((status, out["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("asset_id")));
        let asset_path = format!("/api/v1/tickets/{n}/asset");
        desk.post_put("PUT", &desk.agent, &asset_path, json!({"asset_id": expired["id"]})).await;
        let (status, out) = desk.post(&desk.agent, &claims, claim_body.clone()).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "not_under_warranty"));
        desk.post_put("PUT", &desk.agent, &asset_path, json!({"asset_id": under["id"]})).await;
        let (status, out) = desk.post(&desk.ana, &claims, claim_body.clone()).await;
        assert_eq!((status, code(&out)), (StatusCode::FORBIDDEN, "forbidden"));
        let (status, claim) = desk.post(&desk.agent, &claims, claim_body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{claim}");
        assert_eq!(claim["result"], Value::Null);
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!((t["status"].as_str(), t["hold_reason"].as_str()), (Some("on_hold"), Some("warranty")));
        let (_, asset) = desk.get(&desk.agent, &format!("/api/v1/assets/{}", under["id"])).await;
        assert_eq!(asset["status"], "in_repair");
        let (status, out) = desk.post(&desk.agent, &claims, claim_body).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "claim_open"));

        let result = format!("/api/v1/warranty-claims/{}/result", claim["id"]);
        let (status, out) = desk.post(&desk.agent, &result, json!({"result": "lost"})).await;
        assert_eq!((status, out["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("result")));
        let (status, out) = desk
            .post(
                &desk.agent,
                &result,
                json!({"result": "refused", "note": "Daño por humedad: no cubre", "returned_on": today().to_string()}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{out}");
        assert_eq!(out["result"], "refused");
        let (status, out) = desk.post(&desk.agent, &result, json!({"result": "repaired"})).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "claim_decided"));
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "in_progress", "a refusal sends the case back for a technical assessment");
        let (_, asset) = desk.get(&desk.agent, &format!("/api/v1/assets/{}", under["id"])).await;
        assert_eq!(asset["status"], "in_repair", "the device did not come back working");
        let (_, list) = desk.get(&desk.manager, &claims).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        // seed 001: a failed claim calls for a technical assessment.
        let (status, _) = desk.post_put("PUT", &desk.agent, "/api/v1/settings/institution", json!({"name": "X"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = desk
            .post_put(
                "PUT",
                &desk.admin,
                "/api/v1/settings/institution",
                json!({"name": "Alcaldía Municipal de Funza"}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let assessments = format!("/api/v1/tickets/{n}/assessments");
        let body = json!({"asset_id": under["id"], "diagnosis": "La impresora mancha cada hoja.",
            "tests_done": "Limpieza del fusor; prueba de impresión.", "findings": "Fusor dañado por humedad.",
            "recommendation": "retire", "signer_name": "Tomás Técnico", "signer_role": "Técnico de soporte"});
        let (status, out) = desk.post(&desk.ana, &assessments, body.clone()).await;
        assert_eq!((status, code(&out)), (StatusCode::FORBIDDEN, "forbidden"));
        let mut bad = body.clone();
        bad["recommendation"] = json!("sell");
        let (status, out) = desk.post(&desk.agent, &assessments, bad).await;
        assert_eq!(
            (status, out["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("recommendation"))
        );
        let (status, assessment) = desk.post(&desk.agent, &assessments, body).await;
        assert_eq!(status, StatusCode::CREATED, "{assessment}");
        let number = assessment["number"].as_str().unwrap().to_owned();
        assert!(number.starts_with("CT-"), "{number}");
        let file = assessment["attachment_id"].as_i64().expect("the PDF's attachment");
        let res = desk
            .http
            .get(desk.server.url(&format!("/api/v1/attachments/{file}")))
            .bearer_auth(&desk.agent)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap();
        let pdf = lopdf::Document::load_mem(&bytes).expect("a PDF");
        let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
        let text = pdf.extract_text(&pages).unwrap();
        for expected in [
            "Alcaldía Municipal de Funza",
            number.as_str(),
            "CN12345",
            "Dar de baja",
            "Tomás Técnico",
            "Técnico de soporte",
            "Concepto técnico",
        ] {
            assert!(text.contains(expected), "{expected:?} not in the PDF: {text}");
        }
        let confirm = format!("/api/v1/assessments/{}/confirm", assessment["id"]);
        let (status, _) = desk.post(&desk.agent, &confirm, json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the lead confirms a retirement");
        let (status, out) = desk.post(&desk.admin, &confirm, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{out}");
        let (_, asset) = desk.get(&desk.agent, &format!("/api/v1/assets/{}", under["id"])).await;
        assert_eq!(asset["status"], "retired");
        let (status, out) = desk.post(&desk.admin, &confirm, json!({})).await;
        assert_eq!((status, code(&out)), (StatusCode::CONFLICT, "assessment_confirmed"));
        let (_, report) = desk.get(&desk.manager, "/api/v1/reports/vendors").await;
        assert_eq!(report["claims_by_result"], json!({"refused": 1}));
        assert_eq!(report["assets_by_status"], json!({"active": 1, "retired": 1}));
    }
}
