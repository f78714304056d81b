//! The web interface in a real browser: Debian's Chromium driven through
//! chromedriver (both installed by `scripts/test`). The whole story of a request,
//! on the demo desk, with screenshots of the key pages.

#![forbid(unsafe_code)]

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use mesa_testkit::{Db, TestDb, TestServer, databases};
use reqwest::StatusCode;

use support::{PASSWORD, bin, mesa};

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(std::env::var("MESA_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver must be installed (Debian: apt-get install chromium chromium-driver)");
        Driver { child, url: format!("http://127.0.0.1:{port}") }
    }

    async fn browser(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": std::env::var("MESA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=es-CO"]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        for _ in 0..50 {
            if let Ok(client) =
                ClientBuilder::new(connector.clone()).capabilities(caps.clone()).connect(&self.url).await
            {
                return client;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start a Chromium session through chromedriver at {}", self.url);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), &png).unwrap();
    // `MESA_UPDATE_DOCS_SCREENSHOTS=1` refreshes the README's pictures.
    if std::env::var("MESA_UPDATE_DOCS_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join(format!("{name}.png")), &png).unwrap();
    }
}

async fn sign_in(c: &Client, base: &str, email: &str) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"), "signed out, / goes to /login");
    c.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    submit(c, "button[type=submit]").await;
    let path = c.current_url().await.unwrap().path().to_owned();
    assert_ne!(path, "/login", "{email} should be signed in");
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

/// Clicks a submit button and waits until the browser has replaced the
/// page (a form post redirects, possibly to the same URL).
async fn submit(c: &Client, selector: &str) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(Locator::Css(selector)).await.unwrap().click().await.unwrap();
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            c.wait().for_element(Locator::Css("body")).await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("clicking {selector} did not load a new page");
}

async fn fill(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id)).await.unwrap().send_keys(text).await.unwrap();
}

async fn open_details(c: &Client, summary_id: &str) {
    c.find(Locator::Id(summary_id)).await.unwrap().click().await.unwrap();
}

#[tokio::test]
async fn a_request_goes_from_the_portal_to_closed_in_a_real_browser() {
    for db in databases() {
        story(db).await;
    }
}

async fn story(db: Db) {
    let test_db = TestDb::new(db).await;
    mesa(&test_db, &["demo", "--tickets", "60"], None);
    let add = |email: &str, name: &str, role: &str| {
        mesa(
            &test_db,
            &["user", "add", "--email", email, "--name", name, "--role", role, "--password-stdin"],
            Some(PASSWORD),
        );
    };
    add("ana.gomez@alcaldia-demo.gov.co", "Ana Gómez", "requester");
    add("beto.ruiz@alcaldia-demo.gov.co", "Beto Ruiz", "requester");
    add("tecnico@alcaldia-demo.gov.co", "Carlos Técnico", "agent");
    add("lider@alcaldia-demo.gov.co", "Laura Líder", "admin");
    let server = TestServer::start(bin(), &test_db, &["--automation-interval-secs", "0"]);
    let base = server.base_url.clone();
    let driver = Driver::start();
    let c = driver.browser().await;

    // 1. The requester opens a request with an attachment.
    sign_in(&c, &base, "ana.gomez@alcaldia-demo.gov.co").await;
    c.goto(&format!("{base}/tickets/new")).await.unwrap();
    c.find(Locator::Css("#service_id option")).await.unwrap().click().await.unwrap();
    fill(&c, "subject", "La impresora del segundo piso no imprime").await;
    fill(&c, "description", "Desde esta mañana sale la hoja en blanco. Inventario IMP-0087.").await;
    fill(&c, "remote_access_id", "123 456 789").await;
    let file = test_db.data_path().join("pantallazo.txt");
    std::fs::write(&file, "Error 0x80070005").unwrap();
    c.find(Locator::Id("files")).await.unwrap().send_keys(&file.display().to_string()).await.unwrap();
    shot(&c, "portal-new-request").await;
    submit(&c, "#new-ticket button[type=submit]").await;
    let url = c.current_url().await.unwrap();
    let number: i64 = url.path().trim_start_matches("/tickets/").parse().expect("redirected to the new ticket");
    let text = body_text(&c).await;
    assert!(text.contains("La impresora del segundo piso no imprime") && text.contains("pantallazo.txt"), "{text}");
    assert!(text.contains("Nuevo"));
    c.goto(&format!("{base}/tickets")).await.unwrap();
    assert!(body_text(&c).await.contains("La impresora del segundo piso"));
    shot(&c, "portal-my-requests").await;

    // 2. Another requester cannot open it by URL: the same page as a missing ticket.
    sign_in(&c, &base, "beto.ruiz@alcaldia-demo.gov.co").await;
    c.goto(&format!("{base}/tickets/{number}")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("No encontramos") && !text.contains("impresora"), "{text}");

    // 3. The agent finds it unassigned, takes it and works it.
    sign_in(&c, &base, "tecnico@alcaldia-demo.gov.co").await;
    c.goto(&format!("{base}/tickets?queue=unassigned")).await.unwrap();
    shot(&c, "agent-queue").await;
    c.find(Locator::LinkText("La impresora del segundo piso no imprime")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#assign-me")).await.unwrap();
    submit(&c, "#assign-me button").await;
    assert!(body_text(&c).await.contains("Carlos Técnico"));
    fill(&c, "body", "Buenos días Ana, vamos a revisar el equipo hoy en la tarde.").await;
    submit(&c, "#reply-form button[type=submit]").await;
    fill(&c, "body", "Posible fusor dañado; pedir cotización al proveedor.").await;
    c.find(Locator::Id("internal")).await.unwrap().click().await.unwrap();
    submit(&c, "#reply-form button[type=submit]").await;
    open_details(&c, "open-hold").await;
    c.find(Locator::Css("#hold_reason option[value=vendor]")).await.unwrap().click().await.unwrap();
    submit(&c, "#hold").await;
    assert!(c.find(Locator::Id("status")).await.unwrap().text().await.unwrap().contains("En espera"));
    submit(&c, "#move-in_progress").await;
    assert!(c.find(Locator::Id("status")).await.unwrap().text().await.unwrap().contains("En progreso"));
    open_details(&c, "open-solve").await;
    fill(&c, "resolution", "Se cambió el fusor y se imprimió una página de prueba.").await;
    submit(&c, "#solve").await;
    assert!(c.find(Locator::Id("status")).await.unwrap().text().await.unwrap().contains("Solucionado"));
    shot(&c, "agent-ticket").await;

    // A form posted without its CSRF token is refused (and changes nothing).
    let session = c.get_named_cookie("mesa_session").await.unwrap().value().to_owned();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = http
        .post(format!("{base}/tickets/{number}/reply"))
        .header("cookie", format!("mesa_session={session}"))
        .form(&[("body", "sin token")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = http.post(format!("{base}/login")).form(&[("email", "x@y.co"), ("password", "z")]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "the sign-in form needs its token too");

    // 4. The requester sees the reply, not the note, and approves.
    sign_in(&c, &base, "ana.gomez@alcaldia-demo.gov.co").await;
    c.goto(&format!("{base}/tickets/{number}")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("vamos a revisar el equipo hoy"), "{text}");
    assert!(!text.contains("fusor dañado") && !text.contains("Nota interna"), "a requester saw an internal note");
    shot(&c, "portal-ticket-solved").await;
    submit(&c, "#approve").await;
    assert!(c.find(Locator::Id("status")).await.unwrap().text().await.unwrap().contains("Cerrado"));

    // 5. Closed, with its full history (the staff view).
    sign_in(&c, &base, "lider@alcaldia-demo.gov.co").await;
    c.goto(&format!("{base}/tickets/{number}")).await.unwrap();
    open_details(&c, "history").await;
    let history = c.find(Locator::Css("#history table")).await.unwrap().text().await.unwrap();
    for step in
        ["Creación", "Responsable", "Respuesta pública", "Nota interna", "Motivo de espera", "Solución", "closed"]
    {
        assert!(history.contains(step), "{db:?}: history lacks {step}: {history}");
    }
    c.goto(&format!("{base}/dashboard")).await.unwrap();
    assert!(body_text(&c).await.contains("Casos por estado"));
    shot(&c, "dashboard").await;
    c.goto(&format!("{base}/admin")).await.unwrap();
    assert!(body_text(&c).await.contains("Catálogo de servicios"));
    shot(&c, "admin").await;
    c.close().await.unwrap();
}
