//! Maintenance plans and logbooks through the real binary (issue 17): the
//! plan contract, its errors and who may use it; `mesa automation run --now`
//! opening due maintenance tickets exactly once with two processes at once;
//! the checklist, the execution, compliance and the logbook's CSV.

use std::collections::BTreeSet;

use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, bin, code};

async fn team(desk: &Desk) -> i64 {
    let (s, body) = desk.post(&desk.admin, "/api/v1/teams", json!({"name": "Infraestructura"})).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

fn plan(team: i64) -> Value {
    json!({
        "name": "Plan de mantenimiento 2027",
        "year": 2027,
        "team_id": team,
        "activities": [
            {"what": "Revisión de la UPS", "item": "UPS sede principal",
             "checklist": ["Medir carga", "Revisar baterías"], "dates": ["2027-03-01", "2027-12-08"]},
            {"what": "Prueba de restauración", "item": "copias de seguridad", "checklist": [],
             "every": {"unit": "month", "n": 1}, "starts": "2027-01-31"}
        ]
    })
}

fn due(out: &str) -> Vec<i64> {
    out.lines()
        .filter_map(|l| l.strip_suffix(": maintenance_due"))
        .map(|l| l.trim_start_matches("ticket ").parse().expect("a ticket number"))
        .collect()
}

#[tokio::test]
async fn a_plan_is_created_read_replaced_and_archived_through_the_api() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let team = team(&desk).await;
        let (s, made) = desk.post(&desk.admin, "/api/v1/maintenance-plans", plan(team)).await;
        assert_eq!(s, StatusCode::CREATED, "{made}");
        let id = made["id"].as_i64().unwrap();
        let ups = &made["activities"][0];
        assert_eq!(ups["item_kind"], "infrastructure");
        // Dec 8 2027 is a holiday: due the next business day.
        assert_eq!(ups["schedule"][1], json!({"planned": "2027-12-08", "due": "2027-12-09"}));
        let monthly = &made["activities"][1];
        assert_eq!(monthly["every"], json!({"unit": "month", "n": 1}));
        // Jan 31 + 1 month is Feb 28 (a Sunday in 2027), due Monday Mar 1.
        assert_eq!(monthly["schedule"][1], json!({"planned": "2027-02-28", "due": "2027-03-01"}));

        let (s, list) = desk.get(&desk.agent, "/api/v1/maintenance-plans").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let (s, one) = desk.get(&desk.manager, &format!("/api/v1/maintenance-plans/{id}")).await;
        assert_eq!((s, one["name"].as_str()), (StatusCode::OK, Some("Plan de mantenimiento 2027")));

        let mut changed = plan(team);
        changed["name"] = json!("Plan 2027 (revisado)");
        changed["activities"][0]["id"] = ups["id"].clone();
        changed["activities"].as_array_mut().unwrap().pop();
        let (s, put) = desk.post_put("PUT", &desk.admin, &format!("/api/v1/maintenance-plans/{id}"), changed).await;
        assert_eq!(s, StatusCode::OK, "{put}");
        assert_eq!(put["activities"].as_array().unwrap().len(), 1);
        assert_eq!(put["activities"][0]["id"], ups["id"]);

        let (s, _) = desk.post(&desk.admin, &format!("/api/v1/maintenance-plans/{id}/archive"), json!({})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, list) = desk.get(&desk.agent, "/api/v1/maintenance-plans").await;
        assert!(list["items"].as_array().unwrap().is_empty());
        let (_, list) = desk.get(&desk.agent, "/api/v1/maintenance-plans?archived=true").await;
        assert_eq!(list["items"][0]["archived"], true);
        let (s, body) = desk.get(&desk.agent, "/api/v1/maintenance-plans/999999").await;
        assert_eq!((s, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    }
}

#[tokio::test]
async fn invalid_plans_answer_422_with_a_stable_code_and_the_field() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let team = team(&desk).await;
        let with = |f: &dyn Fn(&mut Value)| {
            let mut p = plan(team);
            f(&mut p);
            p
        };
        let cases = [
            (with(&|p| p["activities"][0]["every"] = json!({"unit": "week", "n": 1})), "activities.every"),
            (with(&|p| p["activities"][1]["every"]["n"] = json!(0)), "every.n"),
            (with(&|p| p["activities"][1]["every"]["unit"] = json!("year")), "every.unit"),
            (with(&|p| p["activities"][0]["dates"] = json!(["2028-01-10"])), "activities.dates"),
            (with(&|p| p["activities"][0]["dates"] = json!(["2027-02-30"])), "activities.dates"),
            (with(&|p| p["activities"][0]["what"] = json!("  ")), "activities.what"),
            (with(&|p| p["team_id"] = json!(424242)), "team_id"),
            (with(&|p| p["year"] = json!(1999)), "year"),
        ];
        for (body, field) in cases {
            let (s, answer) = desk.post(&desk.admin, "/api/v1/maintenance-plans", body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
            assert_eq!(code(&answer), "validation_failed");
            assert_eq!(answer["error"]["field"], field, "{answer}");
        }
        let (s, answer) = desk.post(&desk.admin, "/api/v1/maintenance-plans", json!({"name": "x"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
}

#[tokio::test]
async fn maintenance_routes_by_role() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let team = team(&desk).await;
        let (_, made) = desk.post(&desk.admin, "/api/v1/maintenance-plans", plan(team)).await;
        let id = made["id"].as_i64().unwrap();
        let reads = [
            "/api/v1/maintenance-plans".to_owned(),
            format!("/api/v1/maintenance-plans/{id}"),
            "/api/v1/maintenance-plans/compliance?from=2027-01-01&to=2027-12-31".to_owned(),
            "/api/v1/logbooks".to_owned(),
            "/api/v1/logbooks/UPS%20sede%20principal/entries".to_owned(),
            "/api/v1/logbooks/UPS%20sede%20principal/entries.csv".to_owned(),
        ];
        for path in &reads {
            for staff in [&desk.admin, &desk.agent, &desk.manager] {
                let (s, body) = desk.get(staff, path).await;
                assert_eq!(s, StatusCode::OK, "{path}: {body}");
            }
            for requester in [&desk.ana, &desk.beto] {
                let (s, body) = desk.get(requester, path).await;
                assert_eq!((s, code(&body)), (StatusCode::FORBIDDEN, "forbidden"), "{path}");
            }
        }
        for token in [&desk.agent, &desk.manager, &desk.ana] {
            let (s, _) = desk.post(token, "/api/v1/maintenance-plans", plan(team)).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
            let (s, _) = desk.post_put("PUT", token, &format!("/api/v1/maintenance-plans/{id}"), plan(team)).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
            let (s, _) = desk.post(token, &format!("/api/v1/maintenance-plans/{id}/archive"), json!({})).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
        }
        let entry = json!({"date": "2027-05-10", "work": "Limpieza de filtros"});
        for token in [&desk.manager, &desk.ana] {
            let (s, _) = desk.post(token, "/api/v1/logbooks/Aire/entries", entry.clone()).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
        }
        let (s, body) = desk.post(&desk.agent, "/api/v1/logbooks/Aire/entries", entry).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
}

#[tokio::test]
async fn automation_opens_each_due_maintenance_ticket_once_with_two_processes_at_once() {
    for db in databases() {
        let desk = Desk::start_with(db, &["--automation-interval-secs", "0"]).await;
        let team = team(&desk).await;
        let (s, body) = desk.post(&desk.admin, "/api/v1/maintenance-plans", plan(team)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");

        let early = crate::support::mesa(&desk.db, &["automation", "run", "--now", "2027-01-15T15:00:00Z"], None);
        assert!(due(&early).is_empty(), "{early}");

        // Two processes at the same instant: the UPS check of Mar 1, and the
        // monthly restore test of Sunday Jan 31 (due Feb 1, within the month
        // of catch-up) and of Sunday Feb 28 (due Mar 1).
        let run = |now: &str| {
            let mut args = desk.db.cli_args();
            args.extend(["automation", "run", "--now", now].map(str::to_owned));
            std::process::Command::new(bin()).args(&args).stdout(std::process::Stdio::piped()).spawn().unwrap()
        };
        let (a, b) = (run("2027-03-01T14:00:00Z"), run("2027-03-01T14:00:00Z"));
        let a = String::from_utf8(a.wait_with_output().unwrap().stdout).unwrap();
        let b = String::from_utf8(b.wait_with_output().unwrap().stdout).unwrap();
        let mut opened = due(&a);
        opened.extend(due(&b));
        let unique: BTreeSet<i64> = opened.iter().copied().collect();
        assert_eq!(opened.len(), unique.len(), "no ticket twice: {a}\n{b}");
        let (_, list) = desk.get(&desk.agent, "/api/v1/tickets?per_page=100").await;
        let maintenance: Vec<&Value> =
            list["items"].as_array().unwrap().iter().filter(|t| t["type"] == "maintenance").collect();
        assert_eq!(maintenance.len(), opened.len(), "{list}");
        assert_eq!(opened.len(), 3, "{a}\n{b}");
        let again = crate::support::mesa(&desk.db, &["automation", "run", "--now", "2027-03-01T16:00:00Z"], None);
        assert!(due(&again).is_empty(), "{again}");

        // The UPS ticket: its team, its checklist (ticked, recorded), solved → logbook.
        let mut ups = None;
        for n in &opened {
            let (_, t) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
            assert_eq!(t["team_id"], team, "{t}");
            if t["subject"].as_str().unwrap().contains("UPS") {
                ups = Some(*n);
            }
        }
        let n = ups.expect("the UPS ticket");
        let (s, steps) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}/checklist")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(steps["items"].as_array().unwrap().len(), 2);
        let (s, body) =
            desk.post_put("PUT", &desk.ana, &format!("/api/v1/tickets/{n}/checklist/0"), json!({"done": true})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        let (s, steps) =
            desk.post_put("PUT", &desk.agent, &format!("/api/v1/tickets/{n}/checklist/0"), json!({"done": true})).await;
        assert_eq!((s, steps["items"][0]["done"].as_bool()), (StatusCode::OK, Some(true)), "{steps}");
        let (s, _) =
            desk.post_put("PUT", &desk.agent, &format!("/api/v1/tickets/{n}/checklist/9"), json!({"done": true})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, history) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}/history")).await;
        assert!(history.to_string().contains("checklist_done"), "{history}");

        let (s, body) = desk.transition(&desk.agent, n, json!({"to": "solved", "resolution": "Carga al 40 %"})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (_, entries) = desk.get(&desk.agent, "/api/v1/logbooks/ups%20sede%20principal/entries").await;
        assert_eq!(entries["items"][0]["ticket_number"], n, "{entries}");
        let res = desk
            .http
            .get(desk.server.url("/api/v1/logbooks/UPS%20sede%20principal/entries.csv"))
            .bearer_auth(&desk.agent)
            .send()
            .await
            .unwrap();
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = res.text().await.unwrap();
        assert!(csv.starts_with("date,item,author,work,readings,ticket,file"), "{csv}");
        assert!(csv.contains("[x] Medir carga"), "{csv}");

        let (s, report) =
            desk.get(&desk.manager, "/api/v1/maintenance-plans/compliance?from=2027-03-01&to=2027-03-31").await;
        assert_eq!(s, StatusCode::OK, "{report}");
        assert_eq!(report["counts"]["on_time"], 1, "{report}");
        let (s, body) =
            desk.get(&desk.manager, "/api/v1/maintenance-plans/compliance?from=2027-03-31&to=2027-03-01").await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
    }
}
