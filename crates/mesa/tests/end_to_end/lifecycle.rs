//! A ticket's whole life through the API.

use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Desk, code};

#[tokio::test]
async fn health_answers_ok_without_authentication() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let res = desk.http.get(desk.server.url("/api/v1/health")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<serde_json::Value>().await.unwrap(), json!({"status": "ok"}));
    }
}

#[tokio::test]
async fn a_ticket_goes_from_new_to_closed_with_every_step_in_its_history() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let (status, created) = desk
            .post(
                &desk.ana,
                "/api/v1/tickets",
                json!({"subject": "La impresora no imprime", "description": "Sale la hoja en blanco.",
                       "priority": "high", "contact_phone": "601 555 0101", "remote_access_id": "123 456 789"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let n = created["number"].as_i64().unwrap();
        assert_eq!(created["status"], "new");
        assert_eq!(created["priority"], "high");
        assert_eq!(created["type"], "incident");
        assert_eq!(created["requester"]["email"], "ana@mesa.test");
        assert_eq!(created["remote_access_id"], "123 456 789");

        let (status, assigned) = desk
            .post(&desk.admin, &format!("/api/v1/tickets/{n}/assign"), json!({"assignee_email": "tecnico@mesa.test"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{assigned}");
        assert_eq!(assigned["status"], "assigned");
        assert_eq!(assigned["assignee"]["email"], "tecnico@mesa.test");

        let (status, _) = desk
            .post(
                &desk.agent,
                &format!("/api/v1/tickets/{n}/replies"),
                json!({"body": "Voy en camino.", "internal": false}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, ticket) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(ticket["status"], "in_progress", "a staff reply starts the work (seed 000)");
        assert!(ticket["first_response_at"].is_string());

        let resume_at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        let (status, held) =
            desk.transition(&desk.agent, n, json!({"to": "on_hold", "reason": "vendor", "resume_at": resume_at})).await;
        assert_eq!(status, StatusCode::OK, "{held}");
        assert_eq!((held["status"].as_str(), held["hold_reason"].as_str()), (Some("on_hold"), Some("vendor")));
        assert!(held["resume_at"].is_string());

        let (status, resumed) = desk.transition(&desk.agent, n, json!({"to": "in_progress"})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(resumed["hold_reason"].is_null());

        let (status, solved) =
            desk.transition(&desk.agent, n, json!({"to": "solved", "resolution": "Se cambió el fusor."})).await;
        assert_eq!(status, StatusCode::OK, "{solved}");
        assert_eq!((solved["status"].as_str(), solved["outcome"].as_str()), (Some("solved"), Some("solved")));

        let (status, closed) = desk.transition(&desk.ana, n, json!({"to": "closed"})).await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        assert_eq!(closed["status"], "closed");
        assert!(closed["closed_at"].is_string());

        let (status, history) = desk.get(&desk.admin, &format!("/api/v1/tickets/{n}/history")).await;
        assert_eq!(status, StatusCode::OK);
        let steps: Vec<(String, String)> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h["field"].as_str().unwrap().to_owned(), h["after"].as_str().unwrap_or("").to_owned()))
            .collect();
        let expect = [
            ("created", "new"),
            ("assignee", "tecnico@mesa.test"),
            ("status", "assigned"),
            ("public_reply", "Voy en camino."),
            ("status", "in_progress"),
            ("status", "on_hold"),
            ("hold_reason", "vendor"),
            ("status", "in_progress"),
            ("status", "solved"),
            ("resolution", "Se cambió el fusor."),
            ("outcome", "solved"),
            ("status", "closed"),
        ];
        for (field, after) in expect {
            assert!(
                steps.iter().any(|(f, a)| f == field && a == after),
                "{db:?}: history lacks {field} → {after}: {steps:?}"
            );
        }
        // history lines carry who and when
        assert!(history[0]["actor"].is_string() && history[0]["at"].is_string());
    }
}

#[tokio::test]
async fn a_rejected_solution_goes_back_to_in_progress_with_the_reason_recorded() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Sin correo", "No abre Outlook").await;
        desk.transition(&desk.agent, n, json!({"to": "in_progress"})).await;
        desk.transition(&desk.agent, n, json!({"to": "solved", "resolution": "Se reinició el perfil"})).await;

        let (status, body) = desk.transition(&desk.ana, n, json!({"to": "in_progress"})).await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        assert_eq!(body["error"]["field"], "reason");

        let (status, body) =
            desk.transition(&desk.ana, n, json!({"to": "in_progress", "reason": "Sigue sin abrir"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["resolution"].is_null());
        let (_, history) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}/history")).await;
        assert!(
            history
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["field"] == "rejection_reason" && h["after"] == "Sigue sin abrir")
        );
    }
}

#[tokio::test]
async fn transitions_outside_the_lifecycle_are_conflicts_and_missing_fields_are_named() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Pantalla", "Parpadea").await;
        let (status, body) = desk.transition(&desk.agent, n, json!({"to": "closed"})).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "invalid_transition"));
        let (status, body) = desk.transition(&desk.agent, n, json!({"to": "new"})).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "invalid_transition"));
        let (status, body) = desk.transition(&desk.agent, n, json!({"to": "solved"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("resolution")));
        let (status, body) = desk.transition(&desk.agent, n, json!({"to": "on_hold"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        let (status, body) = desk.transition(&desk.agent, n, json!({"to": "on_hold", "reason": "lunch"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        let (status, body) = desk.transition(&desk.agent, n, json!({"to": "flying"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
        // a requester may only approve or reject a solution
        let (status, body) = desk.transition(&desk.ana, n, json!({"to": "in_progress"})).await;
        assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
        // the ticket did not move
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "new");
    }
}

#[tokio::test]
async fn assignment_needs_an_agent_or_admin_and_a_criterion_and_reason_to_take_a_ticket_from_someone() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "VPN", "No conecta").await;
        let path = format!("/api/v1/tickets/{n}/assign");
        for bad in ["beto@mesa.test", "nadie@mesa.test", "no-es-correo"] {
            let (status, body) = desk.post(&desk.admin, &path, json!({"assignee_email": bad})).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(body["error"]["field"], "assignee_email");
        }
        let (status, _) = desk.post(&desk.ana, &path, json!({"assignee_email": "tecnico@mesa.test"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = desk.post(&desk.agent, &path, json!({"assignee_email": "tecnico@mesa.test"})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = desk.post(&desk.admin, &path, json!({"assignee_email": "lider@mesa.test"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("criterion")));
        let (status, body) =
            desk.post(&desk.admin, &path, json!({"assignee_email": "lider@mesa.test", "criterion": "absence"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        let (status, body) = desk
            .post(
                &desk.admin,
                &path,
                json!({"assignee_email": "lider@mesa.test", "criterion": "absence", "reason": "Ausencia del técnico"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["assignee"]["email"], "lider@mesa.test");
        let (_, list) = desk.get(&desk.admin, "/api/v1/tickets?assignee=me").await;
        assert_eq!(list["total"], 1);
        let (_, list) = desk.get(&desk.admin, "/api/v1/tickets?assignee=none").await;
        assert_eq!(list["total"], 0);
    }
}

#[tokio::test]
async fn agents_open_tickets_for_others_and_unknown_addresses_become_requesters() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let (status, body) = desk
            .post(
                &desk.agent,
                "/api/v1/tickets",
                json!({"subject": "Llamada", "description": "Reporta por teléfono", "requester_email": "Nuevo.Usuario@Mesa.test",
                       "requester_name": "Nuevo Usuario"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["requester"]["email"], "nuevo.usuario@mesa.test");
        assert_eq!(body["requester"]["name"], "Nuevo Usuario");
        let (_, users) = desk.get(&desk.admin, "/api/v1/users").await;
        let nuevo = users.as_array().unwrap().iter().find(|u| u["email"] == "nuevo.usuario@mesa.test").unwrap();
        assert_eq!(nuevo["role"], "requester");
        // a requester cannot open for someone else
        let (status, _) = desk
            .post(
                &desk.ana,
                "/api/v1/tickets",
                json!({"subject": "x", "description": "y", "requester_email": "beto@mesa.test"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_catalog_sets_type_level_and_team_of_a_new_ticket() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let (status, team) = desk.post(&desk.admin, "/api/v1/teams", json!({"name": "Infraestructura"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, service) = desk
            .post(
                &desk.admin,
                "/api/v1/services",
                json!({"name": "Carpetas compartidas", "category": "Almacenamiento", "default_type": "service_request",
                       "default_level": 2, "team_id": team["id"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{service}");
        let (_, dept) = desk.post(&desk.admin, "/api/v1/departments", json!({"name": "Secretaría de Hacienda"})).await;
        let (_, building) = desk
            .post(&desk.admin, "/api/v1/buildings", json!({"name": "Palacio Municipal", "detail": "Calle 3 # 4-50"}))
            .await;
        let (status, t) = desk
            .post(
                &desk.ana,
                "/api/v1/tickets",
                json!({"subject": "Acceso a carpeta", "description": "Necesito la carpeta de presupuesto",
                       "service_id": service["id"], "department_id": dept["id"], "building_id": building["id"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        assert_eq!(t["type"], "service_request");
        assert_eq!(t["level"], 2);
        assert_eq!(t["team"], "Infraestructura");
        assert_eq!(t["service"], "Carpetas compartidas");
        assert_eq!(t["department"], "Secretaría de Hacienda");
        assert_eq!(t["building"], "Palacio Municipal");
        let (status, body) = desk
            .post(&desk.ana, "/api/v1/tickets", json!({"subject": "x", "description": "y", "service_id": 999}))
            .await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("service_id")));
        let (status, body) = desk.post(&desk.admin, "/api/v1/teams", json!({"name": "Infraestructura"})).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "name_taken"));
        let (_, labels) = desk.get(&desk.ana, "/api/v1/labels?lang=es").await;
        assert_eq!(labels["status.on_hold"], "En espera");
        let (_, labels) = desk.get(&desk.ana, "/api/v1/labels?lang=en").await;
        assert_eq!(labels["hold_reason.warranty"], "Warranty");
    }
}

#[tokio::test]
async fn a_closed_ticket_takes_no_replies_until_it_is_reopened() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Teclado", "Faltan teclas").await;
        desk.transition(&desk.agent, n, json!({"to": "solved", "resolution": "Se cambió el teclado"})).await;
        desk.transition(&desk.ana, n, json!({"to": "closed"})).await;
        let (status, body) =
            desk.post(&desk.ana, &format!("/api/v1/tickets/{n}/replies"), json!({"body": "Gracias"})).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "ticket_closed"));
        let (status, _) = desk.transition(&desk.ana, n, json!({"to": "in_progress", "reason": "otra vez"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only staff reopen a closed ticket");
        let (status, body) =
            desk.transition(&desk.agent, n, json!({"to": "in_progress", "reason": "Volvió a fallar"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _) =
            desk.post(&desk.ana, &format!("/api/v1/tickets/{n}/replies"), json!({"body": "Gracias"})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn the_openapi_document_is_generated_from_the_routes() {
    let desk = Desk::start(mesa_testkit::Db::Sqlite).await;
    let res = desk.http.get(desk.server.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/replies",
        "/api/v1/tickets/{number}/assign",
        "/api/v1/tickets/{number}/transitions",
        "/api/v1/tickets/{number}/history",
        "/api/v1/tickets/{number}/attachments",
        "/api/v1/attachments/{id}",
        "/api/v1/health",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing from openapi.json");
    }
    assert!(doc["components"]["schemas"]["TicketOut"].is_object());
}

// Issue 13: the requester's answer to a solution in the web or the API
// reopens the ticket unless it only thanks (the desk's phrases).
#[tokio::test]
async fn a_requesters_objection_reopens_a_solved_ticket_and_thanks_do_not() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "Impresora", "No imprime").await;
        let (s, _) = desk.transition(&desk.agent, n, json!({"to": "solved", "resolution": "Se cambió el tóner"})).await;
        assert_eq!(s, StatusCode::OK);
        let replies = format!("/api/v1/tickets/{n}/replies");
        let (s, _) = desk.post(&desk.ana, &replies, json!({"body": "Ok, gracias. Ana"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "solved", "thanks leave it solved");
        // The desk's own phrases: "de acuerdo" becomes a courtesy.
        let (_, mut mail) = desk.get(&desk.admin, "/api/v1/settings/mail").await;
        mail["thanks_phrases"] = json!(["de acuerdo"]);
        let (s, body) = desk.post_put("PUT", &desk.admin, "/api/v1/settings/mail", mail).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        let (s, _) = desk.post(&desk.ana, &replies, json!({"body": "De acuerdo."})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "solved");
        let (s, _) = desk.post(&desk.ana, &replies, json!({"body": "Sigue saliendo en blanco"})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(t["status"], "in_progress", "an objection reopens it");
        let (_, history) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}/history")).await;
        assert!(history.to_string().contains("el solicitante respondió a la solución"), "{history}");
    }
}

// Issue 13: the on-hold queue filtered by why the tickets wait.
#[tokio::test]
async fn the_on_hold_queue_filters_by_hold_reason() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let resume_at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
        let mut held = Vec::new();
        for reason in ["vendor", "warranty", "vendor"] {
            let n = desk.open(&desk.ana, "Equipo", "Detalle").await;
            let hold = json!({"to": "on_hold", "reason": reason, "resume_at": resume_at});
            let (s, body) = desk.transition(&desk.agent, n, hold).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            held.push(n);
        }
        desk.open(&desk.ana, "Sin espera", "Abierto").await;
        let numbers = |list: &serde_json::Value| -> Vec<i64> {
            let mut n: Vec<i64> =
                list["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect();
            n.sort();
            n
        };
        let (s, vendor) = desk.get(&desk.agent, "/api/v1/tickets?hold_reason=vendor").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((numbers(&vendor), vendor["total"].as_i64()), (vec![held[0], held[2]], Some(2)));
        let (_, warranty) = desk.get(&desk.agent, "/api/v1/tickets?status=on_hold&hold_reason=warranty").await;
        assert_eq!(numbers(&warranty), vec![held[1]]);
        let (_, all) = desk.get(&desk.agent, "/api/v1/tickets?hold_reason=").await;
        assert_eq!(all["total"], 4, "empty is no filter");
        let (s, body) = desk.get(&desk.agent, "/api/v1/tickets?hold_reason=lunch").await;
        assert_eq!((s, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    }
}
