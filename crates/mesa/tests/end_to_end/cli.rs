//! The command-line contract.

use mesa_testkit::{Db, TestDb, databases, run_cli};

use crate::support::{Desk, bin, mesa, user_with_token};

fn args(db: &TestDb, words: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    all.extend(db.cli_args());
    all
}

#[tokio::test]
async fn user_add_and_token_create_work_on_a_fresh_data_directory() {
    for db in databases() {
        let test_db = TestDb::new(db).await;
        // a data directory that does not exist yet is created
        let nested = test_db.data_path().join("nueva").join("carpeta");
        let mut words =
            vec!["user", "add", "--email", "Admin@Mesa.test", "--name", "Admin", "--role", "admin", "--password-stdin"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>();
        words.extend(["--data-dir".into(), nested.display().to_string()]);
        if let Some(url) = &test_db.database_url {
            words.extend(["--database-url".into(), url.clone()]);
        }
        let out = run_cli(bin(), &words, Some("una-clave-segura\n"));
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(nested.is_dir());
        let token = user_with_token(&test_db, "otra@mesa.test", "agent");
        assert!(token.starts_with("mesa_") && token.len() == 69, "{token}");
    }
}

#[test]
fn bad_cli_input_is_explained_and_fails() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(TestDb::new(Db::Sqlite));
    let out = run_cli(bin(), &args(&db, &["user", "add", "--email", "a@b.co", "--name", "A", "--role", "root"]), None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("role must be one of"));
    let out = run_cli(
        bin(),
        &args(&db, &["user", "add", "--email", "a@b.co", "--name", "A", "--role", "agent", "--password-stdin"]),
        Some("corta"),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let out = run_cli(bin(), &args(&db, &["token", "create", "--email", "nadie@b.co"]), None);
    assert!(!out.status.success());
    mesa(&db, &["user", "add", "--email", "a@b.co", "--name", "A", "--role", "agent"], None);
    let out = run_cli(bin(), &args(&db, &["user", "add", "--email", "A@B.co", "--name", "A", "--role", "agent"]), None);
    assert!(!out.status.success(), "the same address twice");
    let out = run_cli(bin(), &args(&db, &["serve", "--listen", "not-an-address"]), None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOST:PORT"));
}

#[tokio::test]
async fn the_password_set_by_the_cli_is_stored_as_an_argon2_hash() {
    let desk = Desk::start(Db::Sqlite).await;
    // In WAL mode the newest pages may still sit in the write-ahead log.
    let mut raw = std::fs::read(desk.db.data_path().join("mesa.db")).unwrap();
    raw.extend(std::fs::read(desk.db.data_path().join("mesa.db-wal")).unwrap_or_default());
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("$argon2id$"));
    assert!(!text.contains(crate::support::PASSWORD));
}

#[tokio::test]
async fn the_demo_loads_a_living_desk() {
    let db = TestDb::new(Db::Sqlite).await;
    let out = mesa(&db, &["demo", "--tickets", "40"], None);
    assert!(out.contains("demo loaded"), "{out}");
    let token = out.lines().last().unwrap().rsplit(' ').next().unwrap().to_owned();
    let server = mesa_testkit::TestServer::start(bin(), &db, &[]);
    let http = reqwest::Client::new();
    let list: serde_json::Value = http
        .get(server.url("/api/v1/tickets?per_page=100"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 40);
    let statuses: std::collections::HashSet<&str> =
        list["items"].as_array().unwrap().iter().map(|t| t["status"].as_str().unwrap()).collect();
    assert!(statuses.len() >= 4, "the demo spreads tickets over the lifecycle: {statuses:?}");
    let services: serde_json::Value =
        http.get(server.url("/api/v1/services")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(services.as_array().unwrap().len() >= 15);
    // loading twice is refused rather than duplicating the desk
    let again = run_cli(bin(), &args(&db, &["demo"]), None);
    assert!(!again.status.success());
}

#[tokio::test]
async fn a_demo_load_prints_a_short_summary_instead_of_a_line_per_ticket() {
    let db = TestDb::new(Db::Sqlite).await;
    // The default logging (info), as `mesa serve --demo` runs; not a
    // terminal, so no progress bar either.
    let out = std::process::Command::new(bin())
        .args(args(&db, &["demo", "--tickets", "30"]))
        .env_remove("MESA_LOG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("ticket opened"), "{stderr}");
    assert!(stderr.lines().count() <= 2, "{stderr}");
    assert!(stdout.lines().count() <= 8, "{stdout}");
    let by_status = stdout.lines().find_map(|l| l.strip_prefix("tickets by status: ")).expect(&stdout);
    let total: usize =
        by_status.split(", ").map(|part| part.split(' ').next().unwrap().parse::<usize>().unwrap()).sum();
    assert_eq!(total, 30, "{by_status}");
    assert!(stdout.lines().last().unwrap().starts_with("admin API token: mesa_"), "{stdout}");
}

fn stdout_of(words: &[&str]) -> String {
    let out = run_cli(bin(), &words.iter().map(|s| s.to_string()).collect::<Vec<_>>(), None);
    assert!(out.status.success(), "{words:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn calendar_holidays_prints_the_year_sorted_with_spanish_names() {
    let out = stdout_of(&["calendar", "holidays", "--year", "2026"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 19);
    assert_eq!(lines[0], "2026-01-01\tAño Nuevo");
    assert!(lines.contains(&"2026-07-13\tDía de Nuestra Señora del Rosario de Chiquinquirá"), "Ley 2578 de 2026");
    assert!(lines.contains(&"2026-01-12\tDía de los Reyes Magos"), "moved to Monday by Ley 51 de 1983");
    assert!(lines.contains(&"2026-04-02\tJueves Santo"));
    assert!(lines.contains(&"2026-11-16\tIndependencia de Cartagena"));
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn calendar_due_counts_business_hours_across_holidays_and_keeps_17_00() {
    let due = |start: &str, hours: &str| {
        stdout_of(&["calendar", "due", "--start", start, "--hours", hours]).trim().to_owned()
    };
    // the README's worked example (seed 000: 72 business hours)
    assert_eq!(due("2026-11-20T16:00:00-05:00", "72"), "2026-12-03T16:00:00-05:00");
    // Christmas: Thursday 24 Dec 15:00 + 8 h → Monday 28 Dec 15:00
    assert_eq!(due("2026-12-24T15:00:00-05:00", "8"), "2026-12-28T15:00:00-05:00");
    // ends exactly at the end of the day: stays at 17:00
    assert_eq!(due("2026-11-23T16:00:00-05:00", "1"), "2026-11-23T17:00:00-05:00");
    // outside working time: counts from the next working instant; fractional hours
    assert_eq!(due("2026-11-23T20:00:00-05:00", "4.5"), "2026-11-24T13:30:00-05:00");
    // Holy Week 2026: Thursday 2 and Friday 3 April are holidays
    assert_eq!(due("2026-04-01T10:00:00-05:00", "16"), "2026-04-07T10:00:00-05:00");
    // a UTC start is read as the same instant
    assert_eq!(due("2026-11-23T13:00:00Z", "2"), "2026-11-23T10:00:00-05:00");
    let bad = run_cli(bin(), &["calendar", "due", "--start", "ayer", "--hours", "1"].map(String::from), None);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}

#[tokio::test]
async fn calendar_due_uses_a_calendar_stored_in_the_desk() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let res = desk
            .http
            .put(desk.server.url("/api/v1/calendars/turnos"))
            .bearer_auth(&desk.admin)
            .json(&serde_json::json!({"timezone": "America/Bogota", "hours": {"saturday": ["08:00-12:00"]}, "colombian_holidays": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::NO_CONTENT, "{}", res.text().await.unwrap());
        let out = mesa(
            &desk.db,
            &["calendar", "due", "--start", "2026-11-23T08:00:00-05:00", "--hours", "5", "--calendar", "turnos"],
            None,
        );
        assert_eq!(out.trim(), "2026-12-05T09:00:00-05:00", "Saturdays only, four hours each");
        let mut words =
            vec!["calendar", "due", "--start", "2026-11-23T08:00:00-05:00", "--hours", "1", "--calendar", "nope"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>();
        words.extend(desk.db.cli_args());
        assert!(!run_cli(bin(), &words, None).status.success());
    }
}
