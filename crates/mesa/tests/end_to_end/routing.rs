//! Who gets the case (issue 14): building routing with exempt services and
//! absences (seed 001), reassignment criteria, levels 1–3 (seed 003),
//! security incidents, authorisation (seed 004).

use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, code, user_with_token};

async fn created(desk: &Desk, path: &str, body: Value) -> Value {
    let (status, out) = desk.post(&desk.admin, path, body).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {out}");
    out
}

async fn agent(desk: &Desk, email: &str, name: &str, team: i64) {
    created(desk, "/api/v1/users", json!({"email": email, "name": name, "role": "agent"})).await;
    let (status, out) =
        desk.post_put("PATCH", &desk.admin, &format!("/api/v1/users/{email}"), json!({"team_id": team})).await;
    assert_eq!(status, StatusCode::OK, "{out}");
}

async fn open(desk: &Desk, token: &str, body: Value) -> Value {
    let (status, out) = desk.post(token, "/api/v1/tickets", body).await;
    assert_eq!(status, StatusCode::CREATED, "{out}");
    out
}

/// The history values of `field` on a ticket, as an admin sees them.
async fn history(desk: &Desk, n: i64, field: &str) -> Vec<String> {
    let (_, h) = desk.get(&desk.admin, &format!("/api/v1/tickets/{n}/history")).await;
    h.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["field"] == field)
        .map(|r| r["after"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn funza_routes_by_building_skips_exempt_services_and_absent_agents() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let team = created(&desk, "/api/v1/teams", json!({"name": "Soporte técnico"})).await["id"].as_i64().unwrap();
        agent(&desk, "carlos@funza.test", "Carlos", team).await;
        agent(&desk, "diana@funza.test", "Diana", team).await;
        let building =
            created(&desk, "/api/v1/buildings", json!({"name": "Alcaldía", "agent_email": "carlos@funza.test"})).await;
        assert_eq!(building["agent_email"], "carlos@funza.test");
        let b = building["id"].as_i64().unwrap();
        let printers =
            created(&desk, "/api/v1/services", json!({"name": "Impresoras", "category": "Hardware", "team_id": team}))
                .await;
        assert_eq!(printers["place_routing"], true);
        let networks = created(
            &desk,
            "/api/v1/services",
            json!({"name": "Redes", "category": "Redes", "team_id": team, "place_routing": false}),
        )
        .await;
        assert_eq!(networks["place_routing"], false, "seed 001: networks are not routed by building");

        let first = open(
            &desk,
            &desk.ana,
            json!({"subject": "Impresora", "description": "No imprime",
            "service_id": printers["id"], "building_id": b}),
        )
        .await;
        assert_eq!(
            (first["status"].as_str(), first["assignee_email"].as_str()),
            (Some("assigned"), Some("carlos@funza.test"))
        );
        assert_eq!(first["level"], 1);
        let n1 = first["number"].as_i64().unwrap();
        assert_eq!(history(&desk, n1, "routing").await, ["building|Alcaldía|Carlos"]);

        let exempt = open(
            &desk,
            &desk.ana,
            json!({"subject": "Sin red", "description": "No hay internet",
            "service_id": networks["id"], "building_id": b}),
        )
        .await;
        assert_eq!(
            exempt["assignee"]["email"], "diana@funza.test",
            "the team's least-loaded agent, not the building's"
        );
        let n2 = exempt["number"].as_i64().unwrap();
        assert_eq!(history(&desk, n2, "routing").await, ["exempt|Diana"]);

        let from = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
        let to = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
        let (status, absence) =
            desk.post(&desk.admin, "/api/v1/users/carlos@funza.test/absences", json!({"from": from, "to": to})).await;
        assert_eq!(status, StatusCode::CREATED, "{absence}");
        let (_, absences) = desk.get(&desk.admin, "/api/v1/users/carlos@funza.test/absences").await;
        assert_eq!(absences.as_array().unwrap().len(), 1);
        let (status, body) =
            desk.post(&desk.admin, "/api/v1/users/carlos@funza.test/absences", json!({"from": to, "to": from})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));

        let absent = open(
            &desk,
            &desk.ana,
            json!({"subject": "Impresora 2", "description": "Atasco",
            "service_id": printers["id"], "building_id": b}),
        )
        .await;
        assert_eq!(absent["assignee"]["email"], "diana@funza.test", "Carlos is absent");
        let n3 = absent["number"].as_i64().unwrap();
        assert_eq!(history(&desk, n3, "routing").await, ["skipped|Carlos|absent|Diana"]);
        let (status, _) =
            desk.post_put("DELETE", &desk.admin, &format!("/api/v1/absences/{}", absence["id"]), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        // seed 001: a reassignment needs a criterion.
        let path = format!("/api/v1/tickets/{n1}/assign");
        let (status, body) =
            desk.post(&desk.admin, &path, json!({"assignee_email": "diana@funza.test", "reason": "vacaciones"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("criterion")));
        let (status, body) = desk
            .post(&desk.admin, &path, json!({"assignee_email": "diana@funza.test", "criterion": "whim", "reason": "x"}))
            .await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("criterion")));
        let (status, body) = desk
            .post(
                &desk.admin,
                &path,
                json!({"assignee_email": "diana@funza.test", "criterion": "absence", "reason": "Vacaciones de Carlos"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(history(&desk, n1, "reassignment_criterion").await, ["absence"]);

        // seed 001: only the administrator reassigns, when the desk says so.
        let (status, body) =
            desk.post_put("PUT", &desk.admin, "/api/v1/settings/routing", json!({"reassignment": "admins"})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, _) = desk
            .post(
                &desk.agent,
                &path,
                json!({"assignee_email": "carlos@funza.test", "criterion": "direct_order", "reason": "Orden"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // The building's agent can be cleared.
        let (status, cleared) =
            desk.post_put("PUT", &desk.admin, &format!("/api/v1/buildings/{b}"), json!({"agent_email": null})).await;
        assert_eq!((status, cleared["agent_email"].clone()), (StatusCode::OK, Value::Null), "{cleared}");
        let (status, body) = desk
            .post_put("PUT", &desk.admin, &format!("/api/v1/buildings/{b}"), json!({"agent_email": "ana@mesa.test"}))
            .await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("agent_email")));
    }
}

#[tokio::test]
async fn escalation_hands_the_ticket_to_the_team_of_levels_two_and_three() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let mut teams = Vec::new();
        for (name, email) in [("Nivel 1", "n1@mesa.test"), ("Nivel 2", "n2@mesa.test"), ("Nivel 3", "n3@mesa.test")] {
            let team = created(&desk, "/api/v1/teams", json!({"name": name})).await["id"].as_i64().unwrap();
            agent(&desk, email, name, team).await;
            teams.push(team);
        }
        let service = created(
            &desk,
            "/api/v1/services",
            json!({"name": "Sistemas de información", "category": "Software", "team_id": teams[0]}),
        )
        .await;
        let doc = json!({"level_teams": [{"service_id": null, "level": 2, "team_id": teams[1]},
                                         {"service_id": null, "level": 3, "team_id": teams[2]}]});
        let (status, body) = desk.post_put("PUT", &desk.admin, "/api/v1/settings/routing", doc.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, read) = desk.get(&desk.agent, "/api/v1/settings/routing").await;
        assert_eq!(read["level_teams"], doc["level_teams"]);

        let t = open(
            &desk,
            &desk.ana,
            json!({"subject": "Error en el aplicativo", "description": "Falla",
            "service_id": service["id"]}),
        )
        .await;
        assert_eq!((t["level"].as_i64(), t["assignee"]["email"].as_str()), (Some(1), Some("n1@mesa.test")));
        let n = t["number"].as_i64().unwrap();
        let up = format!("/api/v1/tickets/{n}/escalate");
        let (status, body) = desk.post(&desk.agent, &up, json!({"reason": ""})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
        for (level, who, team) in [(2, "n2@mesa.test", teams[1]), (3, "n3@mesa.test", teams[2])] {
            let (status, body) = desk.post(&desk.agent, &up, json!({"reason": "Requiere especialista"})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!((body["level"].as_i64(), body["assignee"]["email"].as_str()), (Some(level), Some(who)));
            assert_eq!(body["team_id"].as_i64(), Some(team));
        }
        let (status, body) = desk.post(&desk.agent, &up, json!({"reason": "más"})).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "level_limit"));
        let (status, body) =
            desk.post(&desk.agent, &format!("/api/v1/tickets/{n}/de-escalate"), json!({"reason": "Vuelve"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!((body["level"].as_i64(), body["assignee"]["email"].as_str()), (Some(2), Some("n2@mesa.test")));
        let levels = history(&desk, n, "level").await;
        assert_eq!(levels, ["2", "3", "2"], "the level history");
        assert_eq!(history(&desk, n, "escalation").await.len(), 2);
        let (status, _) = desk.post(&desk.ana, &up, json!({"reason": "yo"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let (status, body) = desk
            .post_put(
                "PUT",
                &desk.admin,
                "/api/v1/settings/routing",
                json!({"level_teams": [{"level": 4, "team_id": 1}]}),
            )
            .await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("level_teams")));
        let (status, _) = desk.post_put("PUT", &desk.agent, "/api/v1/settings/routing", json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = desk.get(&desk.ana, "/api/v1/settings/routing").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_security_incident_is_seen_only_by_the_security_team_admins_and_its_requester() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let security = created(&desk, "/api/v1/teams", json!({"name": "Seguridad"})).await["id"].as_i64().unwrap();
        let sofia = user_with_token(&desk.db, "sofia@mesa.test", "agent");
        let (status, _) =
            desk.post_put("PATCH", &desk.admin, "/api/v1/users/sofia@mesa.test", json!({"team_id": security})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) =
            desk.post_put("PUT", &desk.admin, "/api/v1/settings/routing", json!({"security_team_id": security})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        desk.open(&desk.ana, "Impresora", "Atasco").await;

        let t = open(
            &desk,
            &desk.ana,
            json!({"subject": "Correo sospechoso", "description": "Pide mi clave",
            "type": "security_incident"}),
        )
        .await;
        assert_eq!(t["assignee"]["email"], "sofia@mesa.test");
        assert_eq!(t["team_id"].as_i64(), Some(security));
        let n = t["number"].as_i64().unwrap();
        for token in [&desk.agent, &desk.beto, &desk.manager] {
            let (status, body) = desk.get(token, &format!("/api/v1/tickets/{n}")).await;
            assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
            let (status, _) = desk.get(token, &format!("/api/v1/tickets/{n}/history")).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }
        let (_, list) = desk.get(&desk.agent, "/api/v1/tickets").await;
        assert_eq!(list["total"], 1, "not counted in other queues: {list}");
        let (status, _) = desk.post(&desk.agent, &format!("/api/v1/tickets/{n}/replies"), json!({"body": "x"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for token in [&desk.ana, &desk.admin, &sofia] {
            let (status, _) = desk.get(token, &format!("/api/v1/tickets/{n}")).await;
            assert_eq!(status, StatusCode::OK);
        }
        let (_, list) = desk.get(&sofia, "/api/v1/tickets").await;
        assert_eq!(list["total"], 2);
    }
}

#[tokio::test]
async fn an_authorisation_approved_routes_the_ticket_and_one_rejected_closes_it() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let team = created(&desk, "/api/v1/teams", json!({"name": "Infraestructura"})).await["id"].as_i64().unwrap();
        let (status, _) =
            desk.post_put("PATCH", &desk.admin, "/api/v1/users/tecnico@mesa.test", json!({"team_id": team})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = desk
            .post(
                &desk.admin,
                "/api/v1/services",
                json!({"name": "Carpetas compartidas", "category": "Infra", "team_id": team,
                       "requires_authorization": true}),
            )
            .await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("approver_email"))
        );
        let service = created(
            &desk,
            "/api/v1/services",
            json!({"name": "Carpetas compartidas", "category": "Infra", "team_id": team,
                   "requires_authorization": true, "approver_email": "beto@mesa.test"}),
        )
        .await;
        assert_eq!(service["approver_email"], "beto@mesa.test");
        let ask = json!({"subject": "Acceso a carpeta", "description": "Necesito la carpeta de contratos",
            "service_id": service["id"]});

        let t = open(&desk, &desk.ana, ask.clone()).await;
        assert_eq!((t["status"].as_str(), t["hold_reason"].as_str()), (Some("on_hold"), Some("authorization")));
        assert!(t["assignee"].is_null());
        let n = t["number"].as_i64().unwrap();
        let (_, queue) = desk.get(&desk.beto, "/api/v1/tickets?awaiting_authorization=true").await;
        assert_eq!(queue["items"][0]["number"].as_i64(), Some(n), "Por autorizar: {queue}");
        let path = format!("/api/v1/tickets/{n}/authorization");
        let (status, _) = desk.post(&desk.agent, &path, json!({"decision": "approve"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "only the approver or an admin");
        let (status, body) = desk.post(&desk.beto, &path, json!({"decision": "maybe"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("decision")));
        let (status, approved) = desk.post(&desk.beto, &path, json!({"decision": "approve", "comment": "Ok"})).await;
        assert_eq!(status, StatusCode::OK, "{approved}");
        assert_eq!(
            (approved["status"].as_str(), approved["assignee"]["email"].as_str()),
            (Some("assigned"), Some("tecnico@mesa.test"))
        );
        assert!(approved["hold_reason"].is_null());
        assert_eq!(history(&desk, n, "authorization").await, ["approved"]);
        let (status, body) = desk.post(&desk.beto, &path, json!({"decision": "reject", "comment": "tarde"})).await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "authorization_decided"));

        let t = open(&desk, &desk.ana, ask).await;
        let n = t["number"].as_i64().unwrap();
        let path = format!("/api/v1/tickets/{n}/authorization");
        let (status, body) = desk.post(&desk.beto, &path, json!({"decision": "reject"})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("comment")));
        let (status, rejected) =
            desk.post(&desk.admin, &path, json!({"decision": "reject", "comment": "No corresponde a su cargo"})).await;
        assert_eq!(status, StatusCode::OK, "{rejected}");
        assert_eq!((rejected["status"].as_str(), rejected["outcome"].as_str()), (Some("closed"), Some("not_solved")));
        assert_eq!(rejected["resolution"], "No corresponde a su cargo");
        assert_eq!(history(&desk, n, "authorization").await, ["rejected"]);
    }
}

#[tokio::test]
async fn competences_are_recorded_and_routing_skips_agents_without_them() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let team = created(&desk, "/api/v1/teams", json!({"name": "Mesa"})).await["id"].as_i64().unwrap();
        agent(&desk, "a@mesa.test", "Alba", team).await;
        agent(&desk, "b@mesa.test", "Bruno", team).await;
        let mail =
            created(&desk, "/api/v1/services", json!({"name": "Correo", "category": "C", "team_id": team})).await;
        let backups =
            created(&desk, "/api/v1/services", json!({"name": "Copias", "category": "C", "team_id": team})).await;
        let (status, alba) = desk
            .post_put("PATCH", &desk.admin, "/api/v1/users/a@mesa.test", json!({"competences": [backups["id"]]}))
            .await;
        assert_eq!(status, StatusCode::OK, "{alba}");
        assert_eq!(alba["competences"], json!([backups["id"]]));
        let (status, body) =
            desk.post_put("PATCH", &desk.admin, "/api/v1/users/a@mesa.test", json!({"competences": [9999]})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("competences")));
        let (status, _) =
            desk.post_put("PATCH", &desk.agent, "/api/v1/users/a@mesa.test", json!({"competences": []})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for _ in 0..2 {
            let t = open(
                &desk,
                &desk.ana,
                json!({"subject": "Correo", "description": "No llega",
                "service_id": mail["id"]}),
            )
            .await;
            assert_eq!(t["assignee"]["email"], "b@mesa.test", "Alba may only attend backups");
        }
        let (status, _) =
            desk.post_put("PATCH", &desk.admin, "/api/v1/users/b@mesa.test", json!({"active": false})).await;
        assert_eq!(status, StatusCode::OK);
        let t =
            open(&desk, &desk.ana, json!({"subject": "Correo", "description": "No llega", "service_id": mail["id"]}))
                .await;
        assert!(t["assignee"].is_null(), "an inactive agent gets nothing new: {t}");
        assert_eq!(t["status"], "new");
    }
}
