//! Load benchmark of the HTTP API (`cargo bench -p mesa --bench api`).
//!
//! Starts a real `mesa serve` on a fresh database, creates tickets through
//! `POST /api/v1/tickets` with several concurrent clients, moves a share of
//! them through the lifecycle, then measures the list, search and ticket-page
//! queries with one client (pure latency) and with several (latency under
//! load), and the same for the HTML pages of the web UI (queue and ticket
//! pages, signed in through `/login`). Every response is checked, so the benchmark also fails (panics)
//! when the API answers something unexpected.
//!
//! Settings (environment):
//! - `MESA_BENCH_TICKETS`  tickets to create (default 100000)
//! - `MESA_BENCH_CLIENTS`  concurrent clients (default 8)
//! - `MESA_BENCH_QUERIES`  requests per query kind and mode (default 2000)
//! - `MESA_BENCH_WORKFLOW` percent of tickets moved on from `new` by
//!   assign / reply / transition requests (default 10; 0 turns it off)
//! - `MESA_BENCH_DB`       `sqlite`, `postgres` or `both` (default: sqlite,
//!   plus postgres when `MESA_TEST_POSTGRES_URL` is set)
//! - `MESA_BENCH_PG_VACUUM` `1` (default) runs `VACUUM ANALYZE` with `psql`
//!   on PostgreSQL before the queries, as autovacuum would have done by then
//!   on a production server; `0` measures the tables as loaded
//! - `MESA_BENCH_KEEP=1`   keep the data directory / PostgreSQL schema
//!   afterwards (printed) to look at query plans
//!
//! Smoke run: `MESA_BENCH_TICKETS=300 MESA_BENCH_QUERIES=50 cargo bench -p mesa --bench api`

#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mesa_core::search::COUNT_LIMIT as SEARCH_COUNT_LIMIT;
use mesa_testkit::{Db, TestDb, TestServer, run_cli};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_mesa");
const ADMIN_EMAIL: &str = "bench.admin@entidad.gov.co";
const ADMIN_PASSWORD: &str = "banco-de-pruebas-2026";
const REQUESTERS: usize = 500;
const STATUSES: [&str; 6] = ["new", "assigned", "in_progress", "on_hold", "solved", "closed"];
const SEED: u64 = 0x6d65_7361_2026_0001;

// ---------------------------------------------------------------------------
// Settings

struct Settings {
    tickets: usize,
    clients: usize,
    queries: usize,
    workflow_percent: u64,
    dbs: Vec<Db>,
    keep: bool,
    pg_vacuum: bool,
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => {
            raw.trim().parse().unwrap_or_else(|_| panic!("{name} must be a whole number, not {raw:?}"))
        }
        _ => default,
    }
}

impl Settings {
    fn from_env() -> Settings {
        let has_pg = std::env::var(mesa_testkit::POSTGRES_ENV).is_ok_and(|u| !u.is_empty());
        let dbs = match std::env::var("MESA_BENCH_DB").unwrap_or_default().trim() {
            "" if has_pg => vec![Db::Sqlite, Db::Postgres],
            "" | "sqlite" => vec![Db::Sqlite],
            "postgres" => vec![Db::Postgres],
            "both" => vec![Db::Sqlite, Db::Postgres],
            other => panic!("MESA_BENCH_DB must be sqlite, postgres or both, not {other:?}"),
        };
        if dbs.contains(&Db::Postgres) && !has_pg {
            panic!("MESA_BENCH_DB asks for PostgreSQL: set {} too", mesa_testkit::POSTGRES_ENV);
        }
        let settings = Settings {
            tickets: env_number("MESA_BENCH_TICKETS", 100_000),
            clients: env_number("MESA_BENCH_CLIENTS", 8).max(1),
            queries: env_number("MESA_BENCH_QUERIES", 2000).max(1),
            workflow_percent: env_number("MESA_BENCH_WORKFLOW", 10).min(100) as u64,
            dbs,
            keep: std::env::var("MESA_BENCH_KEEP").is_ok_and(|v| !v.is_empty() && v != "0"),
            pg_vacuum: !std::env::var("MESA_BENCH_PG_VACUUM").is_ok_and(|v| v.trim() == "0"),
        };
        assert!(settings.tickets >= 1, "MESA_BENCH_TICKETS must be at least 1");
        settings
    }
}

fn db_name(db: Db) -> &'static str {
    match db {
        Db::Sqlite => "SQLite",
        Db::Postgres => "PostgreSQL",
    }
}

// ---------------------------------------------------------------------------
// Deterministic pseudo-random numbers (SplitMix64), no `rand` crate.

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    /// A generator of its own for item `i` of stream `stream`, so what an
    /// item looks like does not depend on which client made it.
    fn for_item(stream: u64, i: usize) -> Rng {
        Rng(mix(SEED ^ mix(stream) ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Early words are much more frequent than late ones (density ∝ 1/√x):
    /// the first word of a 70-word list comes up ~17× as often as the last,
    /// so search terms range from common to rare.
    fn skewed<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.skewed_index(items.len())]
    }

    /// An index below `n`, low ones much more likely than high ones.
    fn skewed_index(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u) * n as f64) as usize % n
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------
// A Spanish help-desk vocabulary (~300 searchable words), by role in a sentence.

const EQUIPOS: &[&str] = &[
    "impresora",
    "computador",
    "correo",
    "contraseña",
    "portátil",
    "internet",
    "monitor",
    "teclado",
    "red",
    "usuario",
    "escáner",
    "tóner",
    "teléfono",
    "cuenta",
    "wifi",
    "vpn",
    "servidor",
    "pantalla",
    "mouse",
    "cartucho",
    "licencia",
    "antivirus",
    "navegador",
    "sistema",
    "aplicación",
    "archivo",
    "carpeta",
    "disco",
    "memoria",
    "batería",
    "cargador",
    "proyector",
    "videobeam",
    "extensión",
    "celular",
    "bandeja",
    "firma",
    "certificado",
    "token",
    "conexión",
    "intranet",
    "página",
    "portal",
    "plataforma",
    "módulo",
    "reporte",
    "factura",
    "nómina",
    "expediente",
    "radicado",
    "formulario",
    "respaldo",
    "sesión",
    "perfil",
    "permiso",
    "acceso",
    "puerto",
    "dominio",
    "buzón",
    "calendario",
    "cámara",
    "micrófono",
    "audífonos",
    "parlante",
    "tomacorriente",
    "regulador",
    "ups",
    "switch",
    "router",
    "cableado",
    "fotocopiadora",
    "plotter",
    "huellero",
    "lector",
    "tablet",
    "biométrico",
    "escritorio",
    "silla",
    "base",
    "datos",
];

const PROBLEMAS: &[&str] = &[
    "falla",
    "bloqueado",
    "lento",
    "apagado",
    "intermitente",
    "dañado",
    "congelado",
    "reinicia",
    "error",
    "caído",
    "atascado",
    "borroso",
    "desconfigurado",
    "vencido",
    "expirada",
    "olvidada",
    "perdida",
    "eliminado",
    "infectado",
    "sospechoso",
    "ruido",
    "recalienta",
    "parpadea",
    "manchas",
    "desconecta",
    "rechaza",
    "duplicado",
    "incompleto",
    "bloqueada",
    "lenta",
    "dañada",
    "apagada",
    "caída",
    "roto",
    "rota",
    "quemado",
    "mojado",
    "suelto",
    "sin",
    "señal",
    "cobertura",
    "pitido",
    "pantallazo",
    "azul",
    "negro",
    "advertencia",
    "mensaje",
    "alerta",
    "virus",
    "spam",
    "phishing",
    "suplantación",
    "saturado",
    "lleno",
    "desaparecido",
    "corrupto",
];

const LUGARES: &[&str] = &[
    "oficina",
    "secretaría",
    "tesorería",
    "contabilidad",
    "recepción",
    "biblioteca",
    "laboratorio",
    "auditorio",
    "sala",
    "piso",
    "bloque",
    "sede",
    "alcaldía",
    "hacienda",
    "planeación",
    "jurídica",
    "contratación",
    "almacén",
    "talento",
    "humano",
    "bienestar",
    "comunicaciones",
    "prensa",
    "control",
    "interno",
    "tecnología",
    "gerencia",
    "rectoría",
    "decanatura",
    "facultad",
    "consultorio",
    "ventanilla",
    "atención",
    "ciudadano",
    "bodega",
    "portería",
    "vigilancia",
    "cafetería",
    "despacho",
    "archivo",
    "central",
    "gestión",
    "documental",
    "salud",
    "educación",
    "movilidad",
    "tránsito",
    "catastro",
    "notificaciones",
    "correspondencia",
    "concejo",
    "personería",
    "inspección",
    "comisaría",
    "familia",
    "registro",
    "presupuesto",
    "cartera",
    "cobro",
    "coactivo",
];

const GESTIONES: &[&str] = &[
    "instalación",
    "actualización",
    "configuración",
    "mantenimiento",
    "revisión",
    "cambio",
    "traslado",
    "préstamo",
    "asignación",
    "creación",
    "restablecimiento",
    "desbloqueo",
    "migración",
    "soporte",
    "visita",
    "diagnóstico",
    "repuesto",
    "cotización",
    "compra",
    "inventario",
    "reparación",
    "limpieza",
    "formateo",
    "recuperación",
    "habilitación",
    "renovación",
    "activación",
    "retiro",
    "baja",
    "alistamiento",
    "capacitación",
    "préstamo",
    "escaneo",
    "impresión",
    "copia",
];

const PERSONAS: &[&str] = &[
    "funcionario",
    "contratista",
    "jefe",
    "coordinador",
    "secretaria",
    "auxiliar",
    "practicante",
    "proveedor",
    "técnico",
    "ingeniero",
    "profesional",
    "director",
    "asesor",
    "supervisor",
    "docente",
    "estudiante",
    "médico",
    "enfermera",
    "abogado",
    "contador",
    "tesorero",
    "almacenista",
    "conductor",
    "vigilante",
    "ciudadana",
];

const SOFTWARE: &[&str] = &[
    "windows",
    "office",
    "excel",
    "word",
    "outlook",
    "teams",
    "zoom",
    "pdf",
    "adobe",
    "java",
    "chrome",
    "firefox",
    "sigep",
    "secop",
    "orfeo",
    "siif",
    "erp",
    "sap",
    "drive",
    "onedrive",
    "sharepoint",
    "powerpoint",
    "linux",
    "acrobat",
    "anydesk",
    "citrix",
    "moodle",
    "sicop",
    "kactus",
    "siigo",
];

const TIEMPOS: &[&str] = &[
    "ayer",
    "hoy",
    "mañana",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "semana",
    "quincena",
    "mes",
    "madrugada",
    "tarde",
    "noche",
    "temprano",
];

const EVENTOS: &[&str] = &[
    "urgente",
    "audiencia",
    "reunión",
    "cierre",
    "auditoría",
    "comité",
    "consejo",
    "visita",
    "entrega",
    "licitación",
    "pago",
    "plazo",
    "vencimiento",
    "elecciones",
    "evento",
];

const NOMBRES: &[&str] = &[
    "María", "José", "Luis", "Ana", "Carlos", "Luz", "Jorge", "Sandra", "Andrés", "Paola", "Juan", "Diana", "Óscar",
    "Ángela", "Camilo", "Natalia", "Fernando", "Adriana", "Julián", "Mónica",
];

const APELLIDOS: &[&str] = &[
    "Gómez",
    "Rodríguez",
    "Martínez",
    "López",
    "García",
    "Pérez",
    "Hernández",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Díaz",
    "Vargas",
    "Moreno",
    "Rojas",
    "Muñoz",
    "Castro",
    "Ortiz",
    "Suárez",
    "Jiménez",
    "Peña",
    "Núñez",
    "Ríos",
    "Cárdenas",
    "Beltrán",
    "Patiño",
];

const SERVICES: &[(&str, &str, &str)] = &[
    ("Impresoras y escáneres", "Equipos", "incident"),
    ("Computadores y portátiles", "Equipos", "incident"),
    ("Correo electrónico", "Comunicaciones", "incident"),
    ("Cuentas y contraseñas", "Accesos", "service_request"),
    ("Red e internet", "Infraestructura", "incident"),
    ("Telefonía", "Comunicaciones", "incident"),
    ("Aplicaciones institucionales", "Software", "incident"),
    ("Instalación de software", "Software", "service_request"),
    ("Mantenimiento preventivo", "Equipos", "maintenance"),
    ("Préstamo de equipos", "Equipos", "service_request"),
    ("Seguridad de la información", "Seguridad", "security_incident"),
    ("Videoconferencias y salas", "Comunicaciones", "service_request"),
];

/// Every searchable word, without duplicates.
fn vocabulary() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = Vec::new();
    for list in [EQUIPOS, PROBLEMAS, LUGARES, GESTIONES, PERSONAS, SOFTWARE, TIEMPOS, EVENTOS] {
        for w in list {
            if !all.contains(w) {
                all.push(w);
            }
        }
    }
    all
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn strip_accents(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' => 'u',
            'ñ' => 'n',
            other => other,
        })
        .collect()
}

fn sentence(rng: &mut Rng) -> String {
    let (e, e2, p, l, g, pe, s, t, ev) = (
        rng.skewed(EQUIPOS),
        rng.skewed(EQUIPOS),
        rng.skewed(PROBLEMAS),
        rng.skewed(LUGARES),
        rng.skewed(GESTIONES),
        rng.skewed(PERSONAS),
        rng.skewed(SOFTWARE),
        rng.skewed(TIEMPOS),
        rng.skewed(EVENTOS),
    );
    match rng.below(9) {
        0 => format!("El {e} de la {l} está {p} desde el {t}."),
        1 => format!("Al abrir {s} aparece un {p} y el {e} queda {p}."),
        2 => format!("Se requiere {g} del {e} para el {pe} de {l}."),
        3 => format!("El {pe} reporta que el {e} {p} cuando usa {s}."),
        4 => format!("Ya se intentó {g} del {e2} pero el {e} sigue {p}."),
        5 => format!("Es urgente porque hay {ev} en la {l} el {t}."),
        6 => format!("Afecta a toda la {l}, incluido el {e} y el {e2}."),
        7 => format!("Placa de inventario {}, serial {}{}.", rng.range(10_000, 99_999), e2.len(), rng.below(1_000_000)),
        _ => format!("Solicito {g} de {e} y {g} de {s} para el {pe}."),
    }
}

fn subject(rng: &mut Rng) -> String {
    let (e, p, l, g, s) =
        (rng.skewed(EQUIPOS), rng.skewed(PROBLEMAS), rng.skewed(LUGARES), rng.skewed(GESTIONES), rng.skewed(SOFTWARE));
    match rng.below(5) {
        0 => format!("{} {p} en {l}", capitalize(e)),
        1 => format!("{} de {e} en {l}", capitalize(g)),
        2 => format!("{} {p} al usar {s}", capitalize(e)),
        3 => format!("Solicitud de {g} de {s}"),
        _ => format!("{} de {l} {p}", capitalize(e)),
    }
}

fn paragraph(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let greeting = ["Buenos días.", "Buenas tardes.", "Cordial saludo.", "Hola.", ""][rng.below(5)];
    let mut text = greeting.to_owned();
    for _ in 0..rng.range(lo, hi) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&sentence(rng));
    }
    text.push_str([" Gracias.", " Quedo atento.", " Agradezco su ayuda.", ""][rng.below(4)]);
    text
}

fn requester(i: usize) -> (String, String) {
    let mut rng = Rng::for_item(1, i);
    let (n, a) = (rng.pick(NOMBRES), rng.pick(APELLIDOS));
    let email =
        format!("{}.{}{}@entidad.gov.co", strip_accents(&n.to_lowercase()), strip_accents(&a.to_lowercase()), i);
    (email, format!("{n} {a}"))
}

fn new_ticket(i: usize, services: &[i64]) -> Value {
    let mut rng = Rng::for_item(2, i);
    // Some people open many tickets, most only a few.
    let (email, name) = requester(rng.skewed_index(REQUESTERS));
    let priority = ["low", "medium", "medium", "medium", "high", "critical"][rng.below(6)];
    json!({
        "subject": subject(&mut rng),
        "description": paragraph(&mut rng, 2, 6),
        "service_id": services[rng.below(services.len())],
        "priority": priority,
        "requester_email": email,
        "requester_name": name,
    })
}

/// A search query of one or two vocabulary words, sometimes capitalised,
/// shouted or without its accents (the server folds them all the same).
fn search_query(rng: &mut Rng, vocab: &[&str]) -> String {
    let words = if rng.chance(70) { 1 } else { 2 };
    let mut parts = Vec::new();
    for _ in 0..words {
        let w = vocab[rng.below(vocab.len())];
        let w = match rng.below(8) {
            0 | 1 => capitalize(w),
            2 => w.to_uppercase(),
            3 | 4 => strip_accents(w),
            _ => w.to_owned(),
        };
        parts.push(w);
    }
    parts.join(" ")
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => write!(out, "%{b:02X}").unwrap(),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Requests and load

#[derive(Clone, Copy)]
enum Check {
    /// Only the status.
    Status,
    /// A ticket list; `Some(n)`: its total must be n.
    List(Option<i64>),
    /// A ticket page of this number.
    Page(i64),
    /// An HTML queue page; `Some(n)`: the count it shows must be n.
    Queue(Option<i64>),
    /// The HTML page of this ticket.
    TicketHtml(i64),
}

struct Step {
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
    expect: u16,
    check: Check,
    /// A page of the web UI (with the session cookie) instead of the API.
    web: bool,
}

impl Step {
    fn get(path: String, check: Check) -> Step {
        Step { method: reqwest::Method::GET, path, body: None, expect: 200, check, web: false }
    }

    fn post(path: String, body: Value, expect: u16) -> Step {
        Step { method: reqwest::Method::POST, path, body: Some(body), expect, check: Check::Status, web: false }
    }

    fn web(path: String, check: Check) -> Step {
        Step { web: true, ..Step::get(path, check) }
    }
}

struct Api {
    client: reqwest::Client,
    base: String,
    auth: String,
    /// `mesa_session=…`, for the web UI.
    session: String,
    /// The `mesa serve` process, whose CPU time is measured.
    server_pid: u32,
}

impl Api {
    /// Sends one request, checks it, and returns how long it took (until the
    /// whole body had arrived) and, for lists, the `total`.
    async fn send(&self, step: &Step) -> (Duration, Option<i64>) {
        let (url, req) = if step.web {
            let url = format!("{}{}", self.base, step.path);
            let req = self.client.request(step.method.clone(), &url).header("cookie", &self.session);
            (url, req)
        } else {
            let url = format!("{}/api/v1{}", self.base, step.path);
            let req = self.client.request(step.method.clone(), &url).header("authorization", &self.auth);
            (url, req)
        };
        let mut req = req;
        if let Some(body) = &step.body {
            req = req.json(body);
        }
        let start = Instant::now();
        let resp = req.send().await.unwrap_or_else(|e| panic!("{} {url}: {e}", step.method));
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap_or_else(|e| panic!("{} {url}: reading the body: {e}", step.method));
        let took = start.elapsed();
        if status != step.expect {
            panic!(
                "{} {url}: expected {} but got {status}: {}",
                step.method,
                step.expect,
                String::from_utf8_lossy(&bytes[..bytes.len().min(500)])
            );
        }
        let total = match step.check {
            Check::Status => None,
            Check::List(want) => {
                let v: Value = serde_json::from_slice(&bytes).expect("a JSON ticket list");
                let total = v["total"].as_i64().unwrap_or_else(|| panic!("GET {url}: no total in the list"));
                let items = v["items"].as_array().unwrap_or_else(|| panic!("GET {url}: no items in the list"));
                assert!(items.len() <= 100, "GET {url}: {} items", items.len());
                assert!(items.len() as i64 <= total, "GET {url}: more items than the total");
                if let Some(want) = want {
                    assert_eq!(total, want, "GET {url}: wrong total");
                }
                let exact = v["total_exact"].as_bool().unwrap_or_else(|| panic!("GET {url}: no total_exact"));
                if exact {
                    Some(total)
                } else {
                    // A search counted up to the limit: recorded as one more.
                    assert_eq!(total, i64::from(SEARCH_COUNT_LIMIT), "GET {url}: a total short of the limit");
                    Some(total + 1)
                }
            }
            Check::Page(number) => {
                let v: Value = serde_json::from_slice(&bytes).expect("a JSON ticket page");
                assert_eq!(v["number"].as_i64(), Some(number), "GET {url}: wrong ticket");
                assert!(v["thread"].is_array(), "GET {url}: no thread");
                None
            }
            Check::Queue(want) => {
                let html = std::str::from_utf8(&bytes).expect("an HTML page in UTF-8");
                let total: i64 = html
                    .split_once("id=\"total\">")
                    .and_then(|(_, rest)| rest.split(' ').next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("GET {url}: no ticket count on the queue page"));
                let rows = html.matches("name=\"numbers\"").count();
                assert!(rows <= 25 && rows as i64 <= total, "GET {url}: {rows} rows of {total}");
                if let Some(want) = want {
                    assert_eq!(total, want, "GET {url}: wrong count");
                }
                Some(total)
            }
            Check::TicketHtml(number) => {
                let html = std::str::from_utf8(&bytes).expect("an HTML page in UTF-8");
                assert!(html.contains(&format!("#{number} · ")), "GET {url}: not the page of ticket {number}");
                assert!(html.trim_end().ends_with("</html>"), "GET {url}: the page is cut short");
                None
            }
        };
        (took, total)
    }
}

/// Signs in at `/login` as a browser does (CSRF cookie and form field) and
/// returns the session cookie's value.
async fn sign_in(client: &reqwest::Client, base: &str) -> String {
    fn set_cookie(resp: &reqwest::Response, name: &str) -> Option<String> {
        resp.headers().get_all(reqwest::header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
            let (k, val) = v.split(';').next()?.split_once('=')?;
            (k == name).then(|| val.to_owned())
        })
    }
    let resp = client.get(format!("{base}/login")).send().await.expect("GET /login");
    let login_csrf = set_cookie(&resp, "mesa_login_csrf").expect("a CSRF cookie from /login");
    let html = resp.text().await.expect("the sign-in form");
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field in the sign-in form") + 19;
    let csrf = html[at..].split('"').next().expect("a CSRF value").to_owned();
    let resp = client
        .post(format!("{base}/login"))
        .header("cookie", format!("mesa_login_csrf={login_csrf}"))
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .expect("POST /login");
    assert_eq!(resp.status().as_u16(), 303, "signing in failed");
    set_cookie(&resp, "mesa_session").expect("a session cookie")
}

/// What a load run measured.
#[derive(Default)]
struct Run {
    clients: usize,
    wall: Duration,
    latencies: Vec<Duration>,
    totals: Vec<i64>,
    /// CPU seconds used meanwhile by `mesa serve`, by this benchmark, and
    /// by the whole machine (all cores).
    server_cpu: f64,
    bench_cpu: f64,
    machine_cpu: f64,
}

impl Run {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Nearest-rank percentile in milliseconds.
    fn pct(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil().max(1.0) as usize;
        self.latencies[rank.min(self.latencies.len()) - 1].as_secs_f64() * 1000.0
    }

    fn max(&self) -> f64 {
        self.latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    /// Server CPU milliseconds per request.
    fn server_ms(&self) -> f64 {
        1000.0 * self.server_cpu / self.latencies.len().max(1) as f64
    }

    /// Cores kept busy by everything but `mesa serve` and this benchmark
    /// (PostgreSQL itself, and whatever else runs on the machine).
    fn other_cores(&self) -> f64 {
        ((self.machine_cpu - self.server_cpu - self.bench_cpu) / self.wall.as_secs_f64().max(1e-9)).max(0.0)
    }

    fn summary(&self) -> String {
        format!(
            "{} requests, {} clients, {:.1} s: {:.0} req/s; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
             server CPU {:.2} ms/req ({:.2} cores), bench {:.2} cores, others {:.2} cores",
            self.latencies.len(),
            self.clients,
            self.wall.as_secs_f64(),
            self.rate(),
            self.pct(50.0),
            self.pct(95.0),
            self.pct(99.0),
            self.max(),
            self.server_ms(),
            self.server_cpu / self.wall.as_secs_f64().max(1e-9),
            self.bench_cpu / self.wall.as_secs_f64().max(1e-9),
            self.other_cores()
        )
    }
}

type Plan = Arc<dyn Fn(usize) -> Vec<Step> + Send + Sync>;

/// Makes one query request from a random generator.
type MakeQuery = Arc<dyn Fn(&mut Rng) -> Step + Send + Sync>;

/// Runs items `0..count` on `clients` concurrent clients; item `i` is the
/// requests `plan(i)`, sent one after the other.
async fn drive(api: &Arc<Api>, clients: usize, count: usize, plan: Plan, progress: Option<&str>) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = (process_cpu(api.server_pid), process_cpu(std::process::id()), machine_cpu());
    let start = Instant::now();
    let mut tasks = Vec::new();
    let every = (count / 10).max(1);
    for _ in 0..clients {
        let (api, next, plan) = (api.clone(), next.clone(), plan.clone());
        let label = progress.map(str::to_owned);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut totals = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                for step in plan(i) {
                    let (took, total) = api.send(&step).await;
                    latencies.push(took);
                    totals.extend(total);
                }
                if let Some(label) = &label
                    && (i + 1) % every == 0
                {
                    let secs = start.elapsed().as_secs_f64();
                    eprintln!("  {label}: {}/{count} after {secs:.1} s ({:.0}/s)", i + 1, (i + 1) as f64 / secs);
                }
            }
            (latencies, totals)
        }));
    }
    let mut run = Run { clients, ..Run::default() };
    for task in tasks {
        let (latencies, totals) = task.await.expect("a client failed (see the panic above)");
        run.latencies.extend(latencies);
        run.totals.extend(totals);
    }
    run.wall = start.elapsed();
    run.server_cpu = process_cpu(api.server_pid) - cpu_before.0;
    run.bench_cpu = process_cpu(std::process::id()) - cpu_before.1;
    run.machine_cpu = machine_cpu() - cpu_before.2;
    run.latencies.sort();
    run
}

// ---------------------------------------------------------------------------
// Server facts

/// Clock ticks per second of /proc times (USER_HZ, 100 on Linux).
const TICKS: f64 = 100.0;

/// CPU seconds (user + system) a process has used so far.
fn process_cpu(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses: state is the
    // 3rd field, utime the 14th and stime the 15th.
    let rest: Vec<&str> = stat.rsplit_once(") ").map_or("", |(_, r)| r).split_whitespace().collect();
    let ticks = |i: usize| rest.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / TICKS
}

/// Busy CPU seconds of the whole machine, all cores together.
fn machine_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else { return 0.0 };
    let v: Vec<f64> = line.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let busy: f64 = v.iter().take(8).enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, x)| x).sum();
    busy / TICKS
}

/// `VmHWM` (peak resident set) and `VmRSS` of a process, in MiB.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn sqlite_size_mib(dir: &Path) -> f64 {
    ["mesa.db", "mesa.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len() as f64 / (1024.0 * 1024.0))
        .sum()
}

// ---------------------------------------------------------------------------
// One database

struct Report {
    db: Db,
    tickets: usize,
    clients: usize,
    queries: usize,
    create: Run,
    workflow: Option<(usize, Run)>,
    queries_runs: Vec<(&'static str, Run, Run)>,
    rss_after_create: f64,
    rss_after_workflow: f64,
    rss_peak: f64,
    db_size: Option<f64>,
    vacuumed: Option<String>,
}

async fn bench_database(db: Db, s: &Settings) -> Report {
    let name = db_name(db);
    println!("\n=== {name}: {} tickets, {} clients, {} queries per kind ===", s.tickets, s.clients, s.queries);
    let testdb = TestDb::new(db).await;
    let bin = Path::new(BIN);
    let cli_in = |args: &[&str], stdin: Option<&str>| {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        all.extend(testdb.cli_args());
        let out = run_cli(bin, &all, stdin);
        assert!(
            out.status.success(),
            "mesa {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cli = |args: &[&str]| cli_in(args, None);
    cli_in(
        &[
            "user",
            "add",
            "--email",
            ADMIN_EMAIL,
            "--name",
            "Administración Mesa",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(ADMIN_PASSWORD),
    );
    let token =
        cli(&["token", "create", "--email", ADMIN_EMAIL]).lines().last().expect("a token line").trim().to_owned();

    let server = TestServer::start(bin, &testdb, &[]);
    let pid = server.pid();
    // Redirects are not followed: a page that sends the browser to /login
    // is a failure, not a page.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let session = sign_in(&client, &server.base_url).await;
    let api = Arc::new(Api {
        client,
        base: server.base_url.clone(),
        auth: format!("Bearer {token}"),
        session: format!("mesa_session={session}"),
        server_pid: pid,
    });

    // Services.
    let mut services = Vec::new();
    for (name, category, kind) in SERVICES {
        let url = format!("{}/api/v1/services", api.base);
        let resp = api
            .client
            .post(&url)
            .header("authorization", &api.auth)
            .json(&json!({"name": name, "category": category, "default_type": kind}))
            .send()
            .await
            .expect("POST /services");
        assert_eq!(resp.status().as_u16(), 201, "POST /services: {}", resp.text().await.unwrap_or_default());
        let v: Value = resp.json().await.expect("a service");
        services.push(v["id"].as_i64().expect("a service id"));
    }
    let services = Arc::new(services);

    // Phase 1: tickets.
    let n = s.tickets;
    let plan: Plan = {
        let services = services.clone();
        Arc::new(move |i| vec![Step::post("/tickets".into(), new_ticket(i, &services), 201)])
    };
    let create = drive(&api, s.clients, n, plan, Some("created")).await;
    let (rss_after_create, rss_now) = memory_mib(pid);
    println!(
        "[{name}] phase 1: created {n} tickets in {:.1} s: {:.0} tickets/s; {}",
        create.wall.as_secs_f64(),
        create.rate(),
        create.summary()
    );
    println!(
        "[{name}] mesa serve memory after phase 1: peak RSS (VmHWM) {rss_after_create:.1} MiB, now {rss_now:.1} MiB"
    );

    // Every number from 1 to n exists, and no other.
    let (_, total) = api.send(&Step::get("/tickets?per_page=1".into(), Check::List(Some(n as i64)))).await;
    assert_eq!(total, Some(n as i64));
    api.send(&Step::get(format!("/tickets/{n}"), Check::Page(n as i64))).await;
    api.send(&Step { expect: 404, ..Step::get(format!("/tickets/{}", n + 1), Check::Status) }).await;

    // Phase 1b: move a share of the tickets on, so that every status has
    // tickets and pages have threads.
    let workflow = if s.workflow_percent > 0 {
        let pct = s.workflow_percent;
        let plan: Plan = Arc::new(move |i| workflow_steps(i + 1, pct));
        let moved = (1..=n).filter(|&num| Rng::for_item(3, num).chance(pct)).count();
        let run = drive(&api, s.clients, n, plan, None).await;
        println!(
            "[{name}] phase 1b: moved {moved} tickets on ({} assign/reply/transition requests) in {:.1} s: {}",
            run.latencies.len(),
            run.wall.as_secs_f64(),
            run.summary()
        );
        Some((moved, run))
    } else {
        None
    };
    let (rss_after_workflow, _) = memory_mib(pid);
    let vacuumed = match (&testdb.database_url, s.pg_vacuum) {
        (Some(url), true) => vacuum_analyze(url),
        _ => None,
    };
    if let Some(what) = &vacuumed {
        println!("[{name}] {what}");
    }
    let db_size = (db == Db::Sqlite).then(|| sqlite_size_mib(testdb.data_path()));
    if let Some(size) = db_size {
        println!("[{name}] SQLite file (with WAL): {size:.1} MiB");
    }

    // Phase 2: queries.
    let vocab: Arc<Vec<&'static str>> = Arc::new(vocabulary());
    let per_kind: Vec<(&'static str, MakeQuery)> = vec![
        (
            "list by status",
            Arc::new(|rng: &mut Rng| {
                let status = STATUSES[rng.below(STATUSES.len())];
                Step::get(format!("/tickets?status={status}&page={}&per_page=25", rng.range(1, 20)), Check::List(None))
            }),
        ),
        (
            "list, all",
            Arc::new(move |rng: &mut Rng| {
                Step::get(format!("/tickets?page={}", rng.range(1, 20)), Check::List(Some(n as i64)))
            }),
        ),
        (
            "search",
            Arc::new({
                let vocab = vocab.clone();
                move |rng: &mut Rng| {
                    Step::get(format!("/tickets?q={}", url_encode(&search_query(rng, &vocab))), Check::List(None))
                }
            }),
        ),
        (
            "ticket page",
            Arc::new(move |rng: &mut Rng| {
                let number = rng.range(1, n) as i64;
                Step::get(format!("/tickets/{number}"), Check::Page(number))
            }),
        ),
        (
            "web queue, all",
            Arc::new(move |rng: &mut Rng| {
                Step::web(format!("/tickets?queue=all&page={}", rng.range(1, 20)), Check::Queue(Some(n as i64)))
            }),
        ),
        (
            "web queue, status",
            Arc::new(|rng: &mut Rng| {
                let status = STATUSES[rng.below(STATUSES.len())];
                Step::web(format!("/tickets?queue=all&status={status}&page={}", rng.range(1, 20)), Check::Queue(None))
            }),
        ),
        (
            "web ticket page",
            Arc::new(move |rng: &mut Rng| {
                let number = rng.range(1, n) as i64;
                Step::web(format!("/tickets/{number}"), Check::TicketHtml(number))
            }),
        ),
    ];
    let mut queries_runs = Vec::new();
    for (k, (kind, make)) in per_kind.into_iter().enumerate() {
        let plan = |stream: u64| -> Plan {
            let make = make.clone();
            Arc::new(move |i| vec![make(&mut Rng::for_item(stream, i))])
        };
        // Warm-up, not measured.
        drive(&api, s.clients, (s.queries / 10).max(1), plan(100 + k as u64), None).await;
        let seq = drive(&api, 1, s.queries, plan(200 + k as u64), None).await;
        println!("[{name}] {kind:<15} 1 client : {}", seq.summary());
        let conc = drive(&api, s.clients, s.queries, plan(300 + k as u64), None).await;
        println!("[{name}] {kind:<15} {} clients: {}", s.clients, conc.summary());
        if kind == "search" {
            let totals: Vec<i64> = seq.totals.iter().chain(&conc.totals).copied().collect();
            let mut sorted = totals.clone();
            sorted.sort();
            let mean = totals.iter().sum::<i64>() as f64 / totals.len().max(1) as f64;
            let empty = totals.iter().filter(|&&t| t == 0).count();
            let more = totals.iter().filter(|&&t| t > i64::from(SEARCH_COUNT_LIMIT)).count();
            println!(
                "[{name}] search totals (counted up to {SEARCH_COUNT_LIMIT}): mean {mean:.0} ({:.1}% of tickets), median {}, {more} of {} with more than {SEARCH_COUNT_LIMIT} matches, {empty} with none",
                100.0 * mean / n as f64,
                sorted.get(sorted.len() / 2).copied().unwrap_or(0),
                totals.len()
            );
            if n >= 100 {
                assert!(sorted.last().copied().unwrap_or(0) > 0, "no search found anything");
            }
        }
        queries_runs.push((kind, seq, conc));
    }
    let (rss_peak, rss_now) = memory_mib(pid);
    println!("[{name}] mesa serve memory after phase 2: peak RSS (VmHWM) {rss_peak:.1} MiB, now {rss_now:.1} MiB");
    drop(server);
    if s.keep {
        println!(
            "[{name}] kept: --data-dir {} {}",
            testdb.data_path().display(),
            testdb.database_url.as_deref().map(|u| format!("--database-url '{u}'")).unwrap_or_default()
        );
        // Neither the directory nor the schema is removed.
        std::mem::forget(testdb);
    } else {
        drop(testdb);
    }
    Report {
        db,
        tickets: n,
        clients: s.clients,
        queries: s.queries,
        create,
        workflow,
        queries_runs,
        rss_after_create,
        rss_after_workflow,
        rss_peak,
        db_size,
        vacuumed,
    }
}

/// Runs `VACUUM ANALYZE` on the benchmark's schema with `psql`, and says
/// what it did (or `None` without `psql`).
fn vacuum_analyze(url: &str) -> Option<String> {
    let start = Instant::now();
    let out = std::process::Command::new("psql")
        .args(["-XAtq", "-v", "ON_ERROR_STOP=1", url, "-c", "SHOW autovacuum", "-c", "VACUUM ANALYZE"])
        .output()
        .map_err(|e| eprintln!("psql not available ({e}): the queries run on tables never vacuumed nor analyzed"))
        .ok()?;
    assert!(out.status.success(), "psql VACUUM ANALYZE failed: {}", String::from_utf8_lossy(&out.stderr));
    let autovacuum = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Some(format!(
        "VACUUM ANALYZE before the queries took {:.1} s (this server has autovacuum = {autovacuum})",
        start.elapsed().as_secs_f64()
    ))
}

/// What happens to ticket `number` after it is created: most stay `new`;
/// `percent` of them are assigned and some answered, held, solved, closed.
fn workflow_steps(number: usize, percent: u64) -> Vec<Step> {
    let mut rng = Rng::for_item(3, number);
    if !rng.chance(percent) {
        return Vec::new();
    }
    let path = |what: &str| format!("/tickets/{number}/{what}");
    let target = rng.below(100);
    let mut steps = vec![Step::post(path("assign"), json!({"assignee_email": ADMIN_EMAIL}), 200)];
    if target < 20 {
        return steps; // assigned
    }
    if rng.chance(30) {
        steps.push(Step::post(path("replies"), json!({"body": paragraph(&mut rng, 1, 2), "internal": true}), 201));
    }
    steps.push(Step::post(path("replies"), json!({"body": paragraph(&mut rng, 1, 3), "internal": false}), 201));
    if target < 45 {
        return steps; // in_progress
    }
    if target < 55 {
        steps.push(Step::post(path("transitions"), json!({"to": "on_hold", "reason": "vendor"}), 200));
        return steps;
    }
    steps.push(Step::post(
        path("transitions"),
        json!({"to": "solved", "resolution": paragraph(&mut rng, 1, 2), "outcome": "solved"}),
        200,
    ));
    if target < 75 {
        return steps; // solved
    }
    steps.push(Step::post(path("transitions"), json!({"to": "closed"}), 200));
    steps
}

// ---------------------------------------------------------------------------
// Output

fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let name = db_name(r.db);
    writeln!(
        out,
        "### {name}: {} tickets, {} clients, {} requests per query kind and mode\n",
        r.tickets, r.clients, r.queries
    )
    .unwrap();
    writeln!(
        out,
        "| Requests | Clients | Count | req/s | p50 ms | p95 ms | p99 ms | max ms | server CPU ms/req | other load (cores) |"
    )
    .unwrap();
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|").unwrap();
    fn row(out: &mut String, label: &str, run: &Run) {
        writeln!(
            out,
            "| {label} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            run.clients,
            run.latencies.len(),
            run.rate(),
            run.pct(50.0),
            run.pct(95.0),
            run.pct(99.0),
            run.max(),
            run.server_ms(),
            run.other_cores()
        )
        .unwrap();
    }
    row(&mut out, "**create ticket** (`POST /tickets`)", &r.create);
    if let Some((_, run)) = &r.workflow {
        row(&mut out, "assign / reply / transition", run);
    }
    for (kind, seq, conc) in r.queries_runs.iter().filter(|(kind, ..)| !kind.starts_with("web ")) {
        let label = match *kind {
            "list by status" => "list by status (`?status=…&page=1..20`)",
            "list, all" => "list, all (`?page=1..20`)",
            "search" => "search (`?q=` 1–2 words)",
            _ => "ticket page (`/tickets/{n}`)",
        };
        row(&mut out, label, seq);
        row(&mut out, label, conc);
    }
    writeln!(out).unwrap();
    if r.queries_runs.iter().any(|(kind, ..)| kind.starts_with("web ")) {
        writeln!(out, "Web pages (HTML, signed in with a session cookie):\n").unwrap();
        writeln!(
            out,
            "| Page | Clients | Count | req/s | p50 ms | p95 ms | p99 ms | max ms | server CPU ms/req | other load (cores) |"
        )
        .unwrap();
        writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|").unwrap();
        for (kind, seq, conc) in r.queries_runs.iter().filter(|(kind, ..)| kind.starts_with("web ")) {
            let label = match *kind {
                "web queue, all" => "queue \"all\" (`/tickets?queue=all&page=1..20`)",
                "web queue, status" => "queue by status (`/tickets?queue=all&status=…&page=1..20`)",
                _ => "ticket page (`/tickets/{n}`)",
            };
            row(&mut out, label, seq);
            row(&mut out, label, conc);
        }
        writeln!(out).unwrap();
    }
    write!(
        out,
        "Created: **{:.0} tickets/s**. Peak RSS of `mesa serve` (VmHWM): {:.1} MiB after creating, {:.1} MiB after the lifecycle phase, **{:.1} MiB** at the end",
        r.create.rate(),
        r.rss_after_create,
        r.rss_after_workflow,
        r.rss_peak
    )
    .unwrap();
    if let Some((moved, _)) = &r.workflow {
        write!(out, "; {moved} tickets moved on from `new`").unwrap();
    }
    if let Some(size) = r.db_size {
        write!(out, "; SQLite file {size:.0} MiB").unwrap();
    }
    writeln!(out, ".").unwrap();
    if let Some(what) = &r.vacuumed {
        writeln!(out, "{what}.").unwrap();
    }
    out
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_env();
    let started = Instant::now();
    let vocab = vocabulary();
    println!(
        "mesa API benchmark: {} tickets, {} clients, {} queries per kind, {}% moved through the lifecycle, {} vocabulary words, databases: {}",
        settings.tickets,
        settings.clients,
        settings.queries,
        settings.workflow_percent,
        vocab.len(),
        settings.dbs.iter().map(|d| db_name(*d)).collect::<Vec<_>>().join(", ")
    );
    let mut reports = Vec::new();
    for db in settings.dbs.clone() {
        reports.push(bench_database(db, &settings).await);
    }
    println!("\n--- markdown for docs/performance.md ---\n");
    for r in &reports {
        println!("{}", markdown(r));
    }
    println!("benchmark finished in {:.1} s", started.elapsed().as_secs_f64());
}
