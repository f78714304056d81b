//! Business calendars through the API and the CLI: the built-in default can be
//! read, changed and put back; every change is in the settings history; only
//! admins change calendars or read the history; the due-date preview and the
//! CLI see the desk's own days off.

use mesa_testkit::databases;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Desk, code, mesa};

fn default_of(list: &Value) -> &Value {
    list.as_array().unwrap().iter().find(|c| c["name"] == "default").expect("default is always listed")
}

#[tokio::test]
async fn the_builtin_default_calendar_is_listed_and_round_trips_through_the_api() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let (status, list) = desk.get(&desk.agent, "/api/v1/calendars").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let builtin = default_of(&list).clone();
        assert_eq!(builtin["builtin"], true);
        assert_eq!(builtin["config"]["timezone"], "America/Bogota");
        assert_eq!(builtin["config"]["hours"]["monday"], json!(["08:00-12:00", "13:00-17:00"]));
        let original = builtin["config"].clone();

        // Put back exactly what was read: stored, unchanged, nothing to record.
        let (status, body) = desk.post_put("PUT", &desk.admin, "/api/v1/calendars/default", original.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (_, list) = desk.get(&desk.admin, "/api/v1/calendars").await;
        assert_eq!(default_of(&list)["builtin"], false);
        assert_eq!(default_of(&list)["config"], original);
        let (_, history) = desk.get(&desk.admin, "/api/v1/settings/history").await;
        assert_eq!(history, json!([]), "an unchanged calendar records nothing");

        // Change it: a named día cívico and a half day.
        let mut changed = original.clone();
        changed["non_working_dates"] = json!([{"date": "2026-11-25", "name": "Día cívico"}]);
        changed["special_hours"] = json!({"2026-12-24": ["08:00-12:00"]});
        let (status, body) = desk.post_put("PUT", &desk.admin, "/api/v1/calendars/default", changed.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, one) = desk.get(&desk.agent, "/api/v1/calendars/default").await;
        assert_eq!((status, &one["config"]), (StatusCode::OK, &changed));

        // And put the original back.
        let (status, _) = desk.post_put("PUT", &desk.admin, "/api/v1/calendars/default", original.clone()).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, one) = desk.get(&desk.admin, "/api/v1/calendars/default").await;
        assert_eq!(one["config"], original);

        let (status, history) = desk.get(&desk.admin, "/api/v1/settings/history?calendar=default").await;
        assert_eq!(status, StatusCode::OK, "{history}");
        let changes = history.as_array().unwrap();
        assert_eq!(changes.len(), 2, "{history}");
        assert_eq!(changes[0]["subject"], "calendar:default");
        assert_eq!(changes[0]["actor"]["email"], "lider@mesa.test");
        assert_eq!((&changes[0]["before"], &changes[0]["after"]), (&changed, &original), "newest first");
        assert_eq!((&changes[1]["before"], &changes[1]["after"]), (&original, &changed));
        let (_, limited) = desk.get(&desk.admin, "/api/v1/settings/history?limit=1").await;
        assert_eq!(limited.as_array().unwrap().len(), 1);
        let (_, other) = desk.get(&desk.admin, "/api/v1/settings/history?calendar=turnos").await;
        assert_eq!(other, json!([]));
    }
}

#[tokio::test]
async fn only_admins_change_calendars_and_read_the_settings_history() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let config = json!({"timezone": "America/Bogota", "hours": {"saturday": ["08:00-12:00"]}});
        for token in [&desk.agent, &desk.manager, &desk.ana] {
            let (status, body) = desk.post_put("PUT", token, "/api/v1/calendars/turnos", config.clone()).await;
            assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
            let (status, _) = desk.get(token, "/api/v1/settings/history").await;
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        for (token, expected) in [(&desk.ana, StatusCode::FORBIDDEN), (&desk.manager, StatusCode::OK)] {
            let (status, _) = desk.get(token, "/api/v1/calendars").await;
            assert_eq!(status, expected);
            let (status, _) = desk.get(token, "/api/v1/calendars/default").await;
            assert_eq!(status, expected);
        }
        let (status, body) = desk.get(&desk.agent, "/api/v1/calendars/nope").await;
        assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
        // Bad calendars are refused with the reason.
        let bad_name =
            json!({"timezone": "America/Bogota", "non_working_dates": [{"date": "2026-11-25", "name": " "}]});
        let (status, body) = desk.post_put("PUT", &desk.admin, "/api/v1/calendars/turnos", bad_name).await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{body}");
        let bad_date = json!({"timezone": "America/Bogota", "non_working_dates": ["2026-02-30"]});
        let (status, _) = desk.post_put("PUT", &desk.admin, "/api/v1/calendars/turnos", bad_date).await;
        assert!(status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST, "{status}");
        let (_, history) = desk.get(&desk.admin, "/api/v1/settings/history").await;
        assert_eq!(history, json!([]), "refused changes are not recorded");
    }
}

#[tokio::test]
async fn the_due_preview_and_the_cli_count_the_desks_own_days_off() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let due = "/api/v1/calendars/default/due?start=2026-11-20T21:00:00Z&hours=72";
        let (status, body) = desk.get(&desk.agent, due).await;
        assert_eq!((status, &body["due_at"]), (StatusCode::OK, &json!("2026-12-03T21:00:00Z")), "{body}");
        let config = json!({
            "timezone": "America/Bogota",
            "hours": {"monday": ["08:00-12:00", "13:00-17:00"], "tuesday": ["08:00-12:00", "13:00-17:00"],
                      "wednesday": ["08:00-12:00", "13:00-17:00"], "thursday": ["08:00-12:00", "13:00-17:00"],
                      "friday": ["08:00-12:00", "13:00-17:00"]},
            "non_working_dates": [{"date": "2026-11-25", "name": "Día cívico"}, "2026-12-24"],
            "worked_holidays": ["2026-12-08"]
        });
        let (status, body) = desk.post_put("PUT", &desk.admin, "/api/v1/calendars/default", config).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        let (status, body) = desk.get(&desk.agent, due).await;
        assert_eq!(
            (status, &body["due_at"]),
            (StatusCode::OK, &json!("2026-12-04T21:00:00Z")),
            "a día cívico adds a day"
        );
        let (status, body) =
            desk.get(&desk.agent, "/api/v1/calendars/default/due?start=2026-11-20T21:00:00Z&hours=-1").await;
        assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
        let (status, _) = desk.get(&desk.agent, "/api/v1/calendars/nope/due?start=2026-11-20T21:00:00Z&hours=1").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let out = mesa(&desk.db, &["calendar", "holidays", "--year", "2026", "--calendar", "default"], None);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 19 + 2, "{out}");
        assert!(lines.contains(&"2026-11-25\tDía cívico\tlocal"), "{out}");
        assert!(lines.contains(&"2026-12-24\tDía no laborable\tlocal"), "{out}");
        assert!(lines.contains(&"2026-12-08\tDía de la Inmaculada Concepción\tworked"), "{out}");
        assert!(lines.contains(&"2026-07-13\tDía de Nuestra Señora del Rosario de Chiquinquirá"), "{out}");
        let mut sorted = lines.clone();
        sorted.sort();
        assert_eq!(lines, sorted);
    }
}

#[tokio::test]
async fn the_calendar_routes_and_their_status_codes_are_in_the_openapi_document() {
    let desk = Desk::start(mesa_testkit::Db::Sqlite).await;
    let res = desk.http.get(desk.server.url("/api/v1/openapi.json")).send().await.unwrap();
    let doc: Value = res.json().await.unwrap();
    for (path, method, codes) in [
        ("/api/v1/calendars", "get", &["200", "401", "403"][..]),
        ("/api/v1/calendars/{name}", "get", &["200", "401", "403", "404"][..]),
        ("/api/v1/calendars/{name}", "put", &["204", "400", "401", "403", "422"][..]),
        ("/api/v1/calendars/{name}/due", "get", &["200", "401", "403", "404", "422"][..]),
        ("/api/v1/settings/history", "get", &["200", "401", "403", "422"][..]),
    ] {
        let responses = &doc["paths"][path][method]["responses"];
        for code in codes {
            assert!(responses[code].is_object(), "{method} {path} lacks {code}: {responses}");
        }
    }
    assert!(doc["components"]["schemas"]["CalendarOut"]["properties"]["builtin"].is_object());
}
