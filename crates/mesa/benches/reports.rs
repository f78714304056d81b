//! The management report and the BI feed over a year of tickets
//! (`cargo bench -p mesa --bench reports`).
//!
//! Makes a desk (an administrator, 20 agents, 5 services, 4 buildings, 3
//! teams) through a real `mesa serve`, writes `MESA_BENCH_TICKETS` tickets
//! (default 1,000,000) spread evenly over a year straight into the database
//! with one SQL statement (opening a million tickets one by one would measure
//! the opening, not the report), then measures through HTTP:
//! - `GET /api/v1/feed/tickets.csv` and `.json` over every ticket, read as a
//!   stream, first: rows per second, and the server's resident memory before
//!   and after (and its peak), which stays flat when the feed streams;
//! - `GET /api/v1/reports/summary` for one month (and for the whole year), a
//!   few times each: min, median, max.
//!
//! Settings: `MESA_BENCH_TICKETS`, `MESA_BENCH_RUNS` (report repeats,
//! default 5), `MESA_BENCH_DB` (`sqlite`, `postgres` or `both`; default
//! sqlite, plus postgres when `MESA_TEST_POSTGRES_URL` is set). Every answer
//! is checked, so a smoke run (`MESA_BENCH_TICKETS=2000 cargo test -p mesa
//! --bench reports`) is a test too.

#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use mesa_testkit::{Db, TestDb, TestServer, run_cli};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_mesa");
const ADMIN: &str = "bench.admin@entidad.gov.co";
/// The year the tickets are spread over: 2025-11-01 to 2026-10-31 (UTC).
const YEAR_START_EPOCH: i64 = 1_761_955_200;
const YEAR_SECONDS: i64 = 365 * 86_400;
/// A month inside that year, and the whole year, as report periods.
const MONTH: (&str, &str) = ("2026-09-01", "2026-09-30");
/// Above this many tickets the PostgreSQL fill goes without triggers.
const BULK_WITHOUT_TRIGGERS: usize = 100_000;
const YEAR: (&str, &str) = ("2025-11-01", "2026-10-31");

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => {
            raw.trim().parse().unwrap_or_else(|_| panic!("{name} must be a whole number, not {raw:?}"))
        }
        _ => default,
    }
}

fn databases() -> Vec<Db> {
    let has_pg = std::env::var(mesa_testkit::POSTGRES_ENV).is_ok_and(|u| !u.is_empty());
    match std::env::var("MESA_BENCH_DB").unwrap_or_default().trim() {
        "" if has_pg => vec![Db::Sqlite, Db::Postgres],
        "" | "sqlite" => vec![Db::Sqlite],
        "postgres" => vec![Db::Postgres],
        "both" => vec![Db::Sqlite, Db::Postgres],
        other => panic!("MESA_BENCH_DB must be sqlite, postgres or both, not {other:?}"),
    }
}

fn cli(db: &TestDb, args: &[&str], stdin: Option<&str>) -> String {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.extend(db.cli_args());
    let out = run_cli(std::path::Path::new(BIN), &all, stdin);
    assert!(out.status.success(), "mesa {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A field of `/proc/PID/status` in MiB (`VmRSS`, `VmHWM`).
fn memory_mib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn post(&self, path: &str, body: Value) -> i64 {
        let res = self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await;
        let res = res.expect("request");
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert!(status.is_success(), "POST {path}: {status} {body}");
        body["id"].as_i64().expect("an id")
    }

    async fn get_json(&self, path: &str) -> Value {
        let res = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.expect("request");
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        res.json().await.expect("json")
    }

    /// Reads a streamed body chunk by chunk, counting the bytes `byte`.
    async fn stream_count(&self, path: &str, byte: u8) -> usize {
        let mut res =
            self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.expect("request");
        assert!(res.status().is_success(), "GET {path}: {}", res.status());
        let mut lines = 0;
        while let Some(chunk) = res.chunk().await.expect("a chunk") {
            lines += chunk.iter().filter(|b| **b == byte).count();
        }
        lines
    }
}

/// Consecutive ids `first..first+n` as made one after another on a fresh
/// database.
fn consecutive(ids: &[i64]) -> (i64, i64) {
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "ids are not consecutive: {ids:?}");
    (ids[0], ids.len() as i64)
}

/// One statement writing `n` tickets over the year: a ticket every
/// `YEAR_SECONDS / n` seconds, with every dimension varied; 90% solved
/// (1 to 50 hours later, first response 5 to 124 minutes in), 60% closed.
fn fill_sql(
    kind: Db,
    n: usize,
    requester: i64,
    agents: (i64, i64),
    services: (i64, i64),
    places: [(i64, i64); 2],
) -> String {
    let step = YEAR_SECONDS as f64 / n as f64;
    let (buildings, teams) = (places[0], places[1]);
    let columns = "number, subject, description, type, status, priority, service_id, requester_id, building_id,
        assignee_id, team_id, level, channel, created_at, updated_at, status_since, first_response_at, solved_at,
        closed_at, outcome, hold_reason, version, sla_paused";
    // `c` is the creation's epoch second.
    let epoch = format!("({YEAR_START_EPOCH} + CAST(i * {step} AS INTEGER))");
    let at = |offset: &str| match kind {
        Db::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%S+00:00', {epoch} + {offset}, 'unixepoch')"),
        Db::Postgres => format!("to_timestamp({epoch} + {offset})"),
    };
    let solved = "(3600 * (1 + i % 50))";
    let values = format!(
        "100000 + i, 'Caso ' || i, 'Detalle del caso', \
         CASE i % 4 WHEN 0 THEN 'service_request' WHEN 3 THEN 'maintenance' ELSE 'incident' END, \
         CASE WHEN i % 10 < 6 THEN 'closed' WHEN i % 10 < 9 THEN 'solved' WHEN i % 20 = 9 THEN 'on_hold' ELSE 'in_progress' END, \
         CASE i % 4 WHEN 0 THEN 'low' WHEN 1 THEN 'medium' WHEN 2 THEN 'high' ELSE 'critical' END, \
         {s0} + i % {sn}, {requester}, {b0} + i % {bn}, {a0} + i % {an}, {t0} + i % {tn}, 1 + i % 3, \
         CASE i % 5 WHEN 0 THEN 'web' WHEN 1 THEN 'mail' WHEN 2 THEN 'phone' WHEN 3 THEN 'walk_in' ELSE 'api' END, \
         {created}, {created}, {created}, {response}, \
         CASE WHEN i % 10 < 9 THEN {solved_at} END, CASE WHEN i % 10 < 6 THEN {closed_at} END, \
         CASE WHEN i % 10 < 9 THEN 'solved' END, CASE WHEN i % 20 = 9 THEN 'vendor' END, 1, FALSE",
        s0 = services.0,
        sn = services.1,
        b0 = buildings.0,
        bn = buildings.1,
        a0 = agents.0,
        an = agents.1,
        t0 = teams.0,
        tn = teams.1,
        created = at("0"),
        response = at("60 * (5 + i % 120)"),
        solved_at = at(solved),
        closed_at = at(&format!("{solved} + 2 * 86400")),
    );
    match kind {
        Db::Sqlite => format!(
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < {last})
             INSERT INTO tickets ({columns}) SELECT {values} FROM s",
            last = n - 1
        ),
        // A large fill skips the per-row triggers that keep the count tables
        // (a million deferred trigger events take longer than the session
        // has), then counts once as the migrations do. Needs a superuser,
        // as on a developer's own server; the CI smoke run keeps the triggers.
        Db::Postgres if n > BULK_WITHOUT_TRIGGERS => format!(
            "SET session_replication_role = replica;
             INSERT INTO tickets ({columns}) SELECT {values} FROM generate_series(0, {last}) AS i;
             SET session_replication_role = DEFAULT;
             DELETE FROM ticket_status_counts;
             INSERT INTO ticket_status_counts (status, tickets) SELECT status, COUNT(*) FROM tickets GROUP BY status;
             INSERT INTO ticket_status_counts (status, tickets)
               VALUES ('new', 0), ('assigned', 0), ('in_progress', 0), ('on_hold', 0), ('solved', 0), ('closed', 0)
               ON CONFLICT (status) DO NOTHING;
             DELETE FROM agent_open_load;
             INSERT INTO agent_open_load (assignee_id, priority, tickets)
               SELECT assignee_id, priority, COUNT(*) FROM tickets
                WHERE assignee_id IS NOT NULL AND status IN ('new', 'assigned', 'in_progress', 'on_hold')
                GROUP BY assignee_id, priority;",
            last = n - 1
        ),
        Db::Postgres => format!(
            "INSERT INTO tickets ({columns}) SELECT {values} FROM generate_series(0, {last}) AS i",
            last = n - 1
        ),
    }
}

fn stats(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:.0} ms, median {:.0} ms, max {:.0} ms",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    )
}

async fn bench(kind: Db, tickets: usize, runs: usize) {
    let name = match kind {
        Db::Sqlite => "SQLite",
        Db::Postgres => "PostgreSQL",
    };
    let db = TestDb::new(kind).await;
    cli(
        &db,
        &["user", "add", "--email", ADMIN, "--name", "Admin", "--role", "admin", "--password-stdin"],
        Some("banco-de-pruebas-2026"),
    );
    let token =
        cli(&db, &["token", "create", "--email", ADMIN], None).lines().last().expect("a token").trim().to_owned();
    let server = TestServer::start(std::path::Path::new(BIN), &db, &["--automation-interval-secs", "0"]);
    let c = Client { http: reqwest::Client::new(), base: server.base_url.clone(), token };

    let mut agents = Vec::new();
    for i in 0..20 {
        let body = json!({"email": format!("agente{i}@entidad.gov.co"), "name": format!("Agente {i}"), "role": "agent",
                          "password": "una-clave-larga-2026"});
        agents.push(c.post("/api/v1/users", body).await);
    }
    let mut services = Vec::new();
    for name in ["Correo", "Redes", "Impresoras", "Aplicaciones", "Telefonía"] {
        services.push(c.post("/api/v1/services", json!({"name": name, "category": "TI"})).await);
    }
    let mut buildings = Vec::new();
    for name in ["Alcaldía", "Casa de la cultura", "Secretaría de salud", "Bodega"] {
        buildings.push(c.post("/api/v1/buildings", json!({"name": name})).await);
    }
    let mut teams = Vec::new();
    for name in ["Mesa de ayuda", "Infraestructura", "Sistemas de información"] {
        teams.push(c.post("/api/v1/teams", json!({"name": name})).await);
    }
    let me = c.get_json("/api/v1/me").await["id"].as_i64().expect("my id");

    let started = Instant::now();
    let sql = fill_sql(
        kind,
        tickets,
        me,
        consecutive(&agents),
        consecutive(&services),
        [consecutive(&buildings), consecutive(&teams)],
    );
    db.execute_sql(&sql).await;
    if kind == Db::Postgres {
        db.execute_sql("ANALYZE").await;
    }
    println!("{name}: {tickets} tickets written in {:.1} s", started.elapsed().as_secs_f64());

    let pid = server.pid();
    // Anonymous memory is the server's own (heap); SQLite's memory-mapped
    // database file counts in VmRSS too, as file pages the kernel reclaims.
    let (rss_before, anon_before) = (memory_mib(pid, "VmRSS"), memory_mib(pid, "RssAnon"));
    for ext in ["csv", "json"] {
        let t = Instant::now();
        // A CSV line per ticket and the header; a JSON object per ticket
        // and the outer one (the rows are flat and hold no free text).
        let counted =
            c.stream_count(&format!("/api/v1/feed/tickets.{ext}"), if ext == "csv" { b'\n' } else { b'{' }).await;
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(counted, tickets + 1, "{ext}: a row per ticket");
        println!(
            "{name}: feed {ext}, {tickets} rows in {secs:.2} s = {:.0} rows/s; server heap (RssAnon) {anon_before:.0} MiB before, {:.0} MiB after; resident (VmRSS) {rss_before:.0} → {:.0} MiB",
            tickets as f64 / secs,
            memory_mib(pid, "RssAnon"),
            memory_mib(pid, "VmRSS"),
        );
    }
    for (label, (from, to)) in [("month", MONTH), ("year", YEAR)] {
        let path = format!("/api/v1/reports/summary?from={from}&to={to}");
        let mut times = Vec::with_capacity(runs);
        let mut opened = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let report = c.get_json(&path).await;
            times.push(t.elapsed());
            opened = report["counts"]["opened"].as_i64().expect("counts.opened");
            assert!(report["resolution"]["median_hours"].as_f64().is_some_and(|h| h > 0.0), "{}", report["resolution"]);
        }
        assert!(opened > 0, "the {label} has tickets");
        println!("{name}: report of a {label} ({from} to {to}, {opened} tickets opened): {}", stats(times));
    }
    println!(
        "{name}: after the reports, server heap (RssAnon) {:.0} MiB, resident (VmRSS) {:.0} MiB, peak {:.0} MiB",
        memory_mib(pid, "RssAnon"),
        memory_mib(pid, "VmRSS"),
        memory_mib(pid, "VmHWM")
    );
}

#[tokio::main]
async fn main() {
    let tickets = env_number("MESA_BENCH_TICKETS", 1_000_000).max(10);
    let runs = env_number("MESA_BENCH_RUNS", 5).max(1);
    for kind in databases() {
        bench(kind, tickets, runs).await;
    }
}
