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

/// Runs axe-core's WCAG 2.0/2.1 A and AA rules on the current page and fails
/// on any violation (axe-core is vendored under `tests/axe`).
async fn wcag_audit(c: &Client, page: &str) {
    const AXE: &str = include_str!("axe/axe.min.js");
    c.execute(AXE, vec![]).await.unwrap();
    let violations = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
               .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))
               .catch(e => done([{id: 'axe-error', help: String(e)}]));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(violations, serde_json::json!([]), "{page}: WCAG violations");
}

/// Sets a date input (its typing order depends on the browser's locale).
async fn set_date(c: &Client, selector: &str, iso: &str) {
    let script = "document.querySelector(arguments[0]).value = arguments[1];";
    c.execute(script, vec![selector.into(), iso.into()]).await.unwrap();
}

/// The elements that stick out of the window's width (empty: the page does
/// not scroll sideways; wide tables scroll inside their own box).
async fn too_wide(c: &Client) -> serde_json::Value {
    let script = "const w = window.innerWidth; \
        if (document.documentElement.scrollWidth <= w) return []; \
        return [...document.querySelectorAll('body *')] \
          .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.scroll')) \
          .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right));";
    // The window's new size reaches the layout a moment after it is set.
    let mut offenders = serde_json::json!([]);
    for _ in 0..20 {
        offenders = c.execute(script, vec![]).await.unwrap();
        if offenders == serde_json::json!([]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    offenders
}

async fn open_details(c: &Client, summary_id: &str) {
    c.find(Locator::Id(summary_id)).await.unwrap().click().await.unwrap();
}

/// An automated check of the WCAG rules a page can break by markup: the
/// page's language (3.1.1), one `h1`, a name for every form control and
/// button (1.3.1, 4.1.2), `alt` on images (1.1.1) and unique ids (4.1.1).
/// Returns what fails, empty when the page passes.
async fn wcag_failures(c: &Client) -> Vec<String> {
    let script = r#"
        const fails = [];
        if (!document.documentElement.lang) fails.push('html without lang');
        if (document.querySelectorAll('h1').length !== 1) fails.push('not exactly one h1');
        const named = (el) => {
            if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title) return true;
            if (el.id && document.querySelector('label[for="' + el.id + '"]')) return true;
            return !!el.closest('label');
        };
        for (const el of document.querySelectorAll('input, select, textarea')) {
            if (el.type === 'hidden') continue;
            if (!named(el)) fails.push('unnamed ' + el.tagName + ' ' + (el.name || el.id));
        }
        for (const b of document.querySelectorAll('button')) {
            if (!b.textContent.trim() && !b.getAttribute('aria-label')) fails.push('button without text');
        }
        for (const img of document.querySelectorAll('img')) {
            if (!img.hasAttribute('alt')) fails.push('img without alt ' + img.src);
        }
        const ids = {};
        for (const el of document.querySelectorAll('[id]')) {
            if (ids[el.id]) fails.push('duplicate id ' + el.id);
            ids[el.id] = true;
        }
        return fails;
    "#;
    let value = c.execute(script, vec![]).await.unwrap();
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
}

async fn assert_accessible(c: &Client, page: &str) {
    let fails = wcag_failures(c).await;
    assert!(fails.is_empty(), "{page} fails the accessibility audit: {fails:?}");
}

/// Works the password reset flow: the form from /login, the answer, the
/// mailed link (read from the outbox) and the new password.
async fn reset_flow(c: &Client, base: &str, test_db: &TestDb) {
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/login")).await.unwrap();
    c.find(Locator::Id("forgot")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("reset-form")).await.unwrap();
    assert_accessible(c, "the reset form").await;
    fill(c, "email", "sin.clave@alcaldia-demo.gov.co").await;
    shot(c, "password-reset").await;
    submit(c, "#reset-form button[type=submit]").await;
    assert!(body_text(c).await.contains("Si ese correo tiene una cuenta"));
    assert_accessible(c, "the reset answer").await;
    let link = {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let store = mesa_app::Store::open(test_db.data_path(), test_db.database_url.as_deref()).await.unwrap();
            let mails = store.outbox(50).await.unwrap();
            store.close().await;
            let found = mails.iter().find(|m| m.recipients == "sin.clave@alcaldia-demo.gov.co").map(|m| {
                let text = mesa_mail::parse(&m.raw).unwrap().text;
                let at = text.find("/links/").unwrap();
                text[at..].split_whitespace().next().unwrap().to_owned()
            });
            if let Some(link) = found {
                break link;
            }
            assert!(std::time::Instant::now() < deadline, "the password mail was not queued");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    c.goto(&format!("{base}{link}")).await.unwrap();
    assert_accessible(c, "the password link page").await;
    fill(c, "new_password", "corta").await;
    // The browser itself refuses a short password (minlength); the server too.
    c.execute("document.getElementById('new_password').removeAttribute('minlength')", vec![]).await.unwrap();
    submit(c, "#password-form button[type=submit]").await;
    assert!(body_text(c).await.contains("es demasiado corto"), "the error is shown");
    assert_accessible(c, "the password form with an error").await;
    fill(c, "new_password", PASSWORD).await;
    submit(c, "#password-form button[type=submit]").await;
    assert!(body_text(c).await.contains("Su contraseña quedó guardada"));
    sign_in(c, base, "sin.clave@alcaldia-demo.gov.co").await;
    // The link works once.
    c.goto(&format!("{base}{link}")).await.unwrap();
    assert!(body_text(c).await.contains("Este enlace ya no sirve"));
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
    // Created without a password, as a requester from a mail would be.
    mesa(
        &test_db,
        &["user", "add", "--email", "sin.clave@alcaldia-demo.gov.co", "--name", "Sin Clave", "--role", "requester"],
        None,
    );
    let server = TestServer::start(
        bin(),
        &test_db,
        &[
            "--automation-interval-secs",
            "0",
            "--mail-from",
            "soporte@alcaldia-demo.gov.co",
            "--public-url",
            "http://127.0.0.1",
        ],
    );
    let base = server.base_url.clone();
    let driver = Driver::start();
    let c = driver.browser().await;

    // 0. Someone without a password gets one by mail.
    reset_flow(&c, &base, &test_db).await;

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
    assert!(text.contains("Asignado") || text.contains("Nuevo"), "routed on opening (issue 14): {text}");
    c.goto(&format!("{base}/tickets")).await.unwrap();
    assert!(body_text(&c).await.contains("La impresora del segundo piso"));
    shot(&c, "portal-my-requests").await;

    // 2. Another requester cannot open it by URL: the same page as a missing ticket.
    sign_in(&c, &base, "beto.ruiz@alcaldia-demo.gov.co").await;
    c.goto(&format!("{base}/tickets/{number}")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("No encontramos") && !text.contains("impresora"), "{text}");

    // 3. Routing gave it to the service's team (issue 14); the agent takes it
    //    over with a reassignment criterion and works it.
    sign_in(&c, &base, "tecnico@alcaldia-demo.gov.co").await;
    c.goto(&format!("{base}/tickets?queue=all")).await.unwrap();
    shot(&c, "agent-queue").await;
    c.find(Locator::LinkText("La impresora del segundo piso no imprime")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#assign-me")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("Enrutamiento") && text.contains("reparto del equipo"), "who got it and why: {text}");
    open_details(&c, "open-reassign").await;
    c.find(Locator::Css("#assignee_email option[value='tecnico@alcaldia-demo.gov.co']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#assign_criterion option[value=absence]")).await.unwrap().click().await.unwrap();
    fill(&c, "assign_reason", "Vacaciones del técnico asignado").await;
    submit(&c, "#reassign-form button[type=submit]").await;
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

    // 6. Routing administration (issue 14): a building's agent, by keyboard-usable forms.
    c.goto(&format!("{base}/admin/routing")).await.unwrap();
    assert!(body_text(&c).await.contains("Tabla de enrutamiento"));
    c.find(Locator::Css("#building select[name=agent_email] option[value='tecnico@alcaldia-demo.gov.co']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(&c, "#building form button[type=submit]").await;
    assert!(body_text(&c).await.contains("Cambios guardados"), "the building's agent is saved");
    shot(&c, "admin-routing").await;
    c.goto(&format!("{base}/admin")).await.unwrap();
    // 7. The calendar: a día cívico by keyboard-reachable form, a preview, the history.
    c.find(Locator::LinkText("Calendarios y días festivos →")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("days-off")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("Día de Nuestra Señora del Rosario de Chiquinquirá"), "{text}");
    c.goto(&format!("{base}/admin/calendars?year=2026")).await.unwrap();
    set_date(&c, "#days-off input[name=date]", "2026-11-25").await;
    c.find(Locator::Css("#days-off input[name=name]")).await.unwrap().send_keys("Día cívico").await.unwrap();
    submit(&c, "#days-off form.row button[type=submit]").await;
    assert!(body_text(&c).await.contains("Día cívico"));
    c.goto(&format!("{base}/admin/calendars?year=2026&start=2026-11-20T16:00&hours=72")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("04/12/2026 16:00") && text.contains("Laura Líder"), "{text}");
    wcag_audit(&c, "/admin/calendars").await;
    shot(&c, "admin-calendar").await;
    // A failing form comes back with the message and what was typed, and passes the audit too.
    set_date(&c, "#special input[name=date]", "2026-12-31").await;
    c.find(Locator::Css("#special input[name=hours]")).await.unwrap().send_keys("8 a 12").await.unwrap();
    submit(&c, "#special form.row button[type=submit]").await;
    let typed = c.find(Locator::Css("#special input[name=hours]")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("8 a 12"));
    assert!(c.find(Locator::Css("#special [role=alert]")).await.is_ok());
    wcag_audit(&c, "/admin/calendars (failed form)").await;
    // On a phone the page fits the screen.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/admin/calendars?year=2026")).await.unwrap();
    assert_eq!(too_wide(&c).await, serde_json::json!([]), "the calendar page scrolls sideways on a phone");
    vendors_page(&c, &base, &test_db).await;
    c.close().await.unwrap();
}

/// Vendors, contracts and assets (issue 15): accessible, and it fits a phone.
async fn vendors_page(c: &Client, base: &str, test_db: &TestDb) {
    let token = mesa(test_db, &["token", "create", "--email", "lider@alcaldia-demo.gov.co"], None);
    let token = token.lines().last().unwrap().trim().to_owned();
    let http = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        http.post(format!("{base}/api/v1/{path}")).bearer_auth(&token).json(&body).send()
    };
    let vendor: serde_json::Value = post(
        "vendors",
        serde_json::json!({"name": "Soluciones de Impresión SAS",
        "nit": "900.123.456", "contacts": [{"name": "Mesa de soporte", "email": "soporte@impresion.test"}]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let today = chrono::Utc::now().date_naive();
    let res = post(
        "contracts",
        serde_json::json!({"vendor_id": vendor["id"], "number": "CT-2026-014",
        "object": "Soporte y mantenimiento de impresoras", "supervisor_email": "lider@alcaldia-demo.gov.co",
        "starts_on": (today - chrono::Duration::days(200)).to_string(),
        "ends_on": (today + chrono::Duration::days(20)).to_string(),
        "service_ids": [1], "response_hours": 4, "resolution_hours": 16}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let csv = test_db.data_path().join("activos.csv");
    std::fs::write(
        &csv,
        "inventory_tag,type,brand,model,serial,status,purchase_date,warranty_end\n\
        ALC-0001,Impresora,HP,LaserJet M404,CNB1234,in_repair,2023-05-02,2026-05-02\n\
        ALC-0002,Computador,Lenovo,ThinkCentre M70,PC0ABCD,active,2024-02-10,2027-02-10\n",
    )
    .unwrap();
    mesa(test_db, &["asset", "import", &csv.display().to_string()], None);
    c.goto(&format!("{base}/admin/vendors")).await.unwrap();
    assert_eq!(too_wide(c).await, serde_json::json!([]), "the vendors page scrolls sideways on a phone");
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&format!("{base}/admin/vendors")).await.unwrap();
    let text = body_text(c).await;
    assert!(text.contains("CT-2026-014") && text.contains("Por vencer") && text.contains("En reparación"), "{text}");
    wcag_audit(c, "/admin/vendors").await;
    shot(c, "admin-vendors").await;
}

// Surveys and knowledge (issue 16): the survey answered on a phone-sized
// window, without signing in, and the knowledge and lessons screens.
#[tokio::test]
async fn a_requester_answers_the_survey_on_a_phone() {
    let test_db = TestDb::new(Db::Sqlite).await;
    let admin = support::user_with_token(&test_db, "lider@mesa.test", "admin");
    let agent = support::user_with_token(&test_db, "tecnico@mesa.test", "agent");
    let ana = support::user_with_token(&test_db, "ana@mesa.test", "requester");
    let server = TestServer::start(bin(), &test_db, &["--automation-interval-secs", "0"]);
    let base = server.base_url.clone();
    let http = reqwest::Client::new();
    let post = |token: &str, path: &str, body: serde_json::Value| {
        http.post(format!("{base}{path}")).bearer_auth(token.to_owned()).json(&body).send()
    };
    let res = post(
        &ana,
        "/api/v1/tickets",
        serde_json::json!({"subject": "Sin correo en el celular", "description": "No sincroniza"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let number = res.json::<serde_json::Value>().await.unwrap()["number"].as_i64().unwrap();
    let res = post(
        &admin,
        &format!("/api/v1/tickets/{number}/assign"),
        serde_json::json!({"assignee_email": "tecnico@mesa.test"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = post(
        &agent,
        &format!("/api/v1/tickets/{number}/transitions"),
        serde_json::json!({"to": "solved", "resolution": "Contraseña de aplicación nueva"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let survey: serde_json::Value = http
        .get(format!("{base}/api/v1/tickets/{number}/survey"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = survey["link"].as_str().unwrap().to_owned();
    let staff_page = format!("{base}/tickets/{number}/survey");
    let guide = serde_json::json!({"title": "Configurar el correo en el celular", "category": "Guías", "audience": "public",
        "published": true, "body": "1. Abra **Ajustes → Cuentas**\n2. Elija *Google*\n3. Escriba su correo institucional"});
    assert_eq!(post(&agent, "/api/v1/articles", guide).await.unwrap().status(), StatusCode::CREATED);
    let lesson = serde_json::json!({"title": "Contraseñas de aplicación vencidas", "what_happened": "El correo dejó de sincronizar en el celular",
        "cause": "La contraseña de aplicación venció", "next_time": "Generar una nueva desde la consola"});
    assert_eq!(
        post(&agent, &format!("/api/v1/tickets/{number}/lessons"), lesson).await.unwrap().status(),
        StatusCode::CREATED
    );

    let driver = Driver::start();
    let c = driver.browser().await;
    // The agent shows the QR code from the ticket's survey page.
    sign_in(&c, &base, "tecnico@mesa.test").await;
    c.goto(&staff_page).await.unwrap();
    let qr_loaded = c
        .execute("const i = document.querySelector('.qr img'); return !!i && i.complete && i.naturalWidth > 0;", vec![])
        .await
        .unwrap();
    assert_eq!(qr_loaded, serde_json::json!(true), "the QR code is drawn");
    wcag_audit(&c, "/tickets/N/survey").await;
    shot(&c, "ticket-survey").await;
    c.delete_all_cookies().await.unwrap();
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&link).await.unwrap();
    assert!(body_text(&c).await.contains("¿Se resolvió su solicitud?"));
    wcag_audit(&c, "the survey page").await;
    assert_eq!(too_wide(&c).await, serde_json::json!([]), "the survey fits a phone");
    shot(&c, "survey-phone").await;
    // Sent incomplete (the browser's own check removed): the error, and what was chosen stays.
    c.execute("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))", vec![])
        .await
        .unwrap();
    c.find(Locator::Css("input[name=overall][value='5']")).await.unwrap().click().await.unwrap();
    submit(&c, "#survey-form button[type=submit]").await;
    assert!(c.find(Locator::Css("[role=alert]")).await.is_ok());
    let kept = c.find(Locator::Css("input[name=overall][value='5']")).await.unwrap().prop("checked").await.unwrap();
    assert_eq!(kept.as_deref(), Some("true"));
    wcag_audit(&c, "the survey page with an error").await;
    for (name, value) in [("timeliness", "4"), ("quality", "5"), ("resolved", "yes")] {
        c.find(Locator::Css(&format!("input[name={name}][value='{value}']"))).await.unwrap().click().await.unwrap();
    }
    fill(&c, "q-comment", "Muy amable el técnico").await;
    submit(&c, "#survey-form button[type=submit]").await;
    assert!(body_text(&c).await.contains("Gracias"));
    shot(&c, "survey-answered").await;
    c.goto(&link).await.unwrap();
    assert!(body_text(&c).await.contains("ya no recibe respuestas"));

    // The staff's screens: the ticket's survey with its QR code, the knowledge base, the lessons.
    c.set_window_size(1280, 900).await.unwrap();
    sign_in(&c, &base, "lider@mesa.test").await;
    c.goto(&staff_page).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("Muy amable el técnico"), "{text}");
    assert!(text.find("En general").unwrap() < text.find("Comentarios").unwrap(), "answers in the survey's order");
    wcag_audit(&c, "/tickets/N/survey (answered)").await;
    c.goto(&format!("{base}/kb?q=celular")).await.unwrap();
    assert!(body_text(&c).await.contains("Configurar el correo en el celular"));
    wcag_audit(&c, "/kb").await;
    shot(&c, "knowledge-base").await;
    c.goto(&format!("{base}/lessons")).await.unwrap();
    assert!(body_text(&c).await.contains("Contraseñas de aplicación vencidas"));
    wcag_audit(&c, "/lessons").await;
    shot(&c, "lessons").await;
    c.find(Locator::Css("button[value=accept]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("body")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(body_text(&c).await.contains("No hay lecciones pendientes"));
    c.goto(&format!("{base}/kb?q=contrasenas")).await.unwrap();
    c.find(Locator::LinkText("Contraseñas de aplicación vencidas")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("article")).await.unwrap();
    assert!(body_text(&c).await.contains("Generar una nueva desde la consola"));
    wcag_audit(&c, "/kb/N").await;
    shot(&c, "knowledge-article").await;
    c.close().await.unwrap();
}

// Maintenance plans and logbooks (issue 17): the plans, a plan's form with an
// error (typed text kept), the month calendar, a logbook and the management
// report, audited, on a phone's width too.
#[tokio::test]
async fn the_maintenance_pages_pass_the_audit_and_fit_a_phone() {
    use chrono::Datelike;
    let test_db = TestDb::new(Db::Sqlite).await;
    let admin = support::user_with_token(&test_db, "lider@mesa.test", "admin");
    let agent = support::user_with_token(&test_db, "tecnico@mesa.test", "agent");
    let server = TestServer::start(bin(), &test_db, &["--automation-interval-secs", "0"]);
    let base = server.base_url.clone();
    let http = reqwest::Client::new();
    let send = |method: reqwest::Method, token: &str, path: &str, body: serde_json::Value| {
        http.request(method, format!("{base}{path}")).bearer_auth(token.to_owned()).json(&body).send()
    };
    let res = send(reqwest::Method::POST, &admin, "/api/v1/teams", serde_json::json!({"name": "Infraestructura"}))
        .await
        .unwrap();
    let team = res.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    // The desk's date (Bogotá), which the schedule uses.
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Bogota).date_naive();
    let month = today.format("%Y-%m").to_string();
    // Every day of this month up to today (some of them business days).
    let first = today.with_day(1).unwrap().max(today - chrono::Duration::days(10));
    let dates: Vec<String> = first.iter_days().take_while(|d| *d <= today).map(|d| d.to_string()).collect();
    let plan = serde_json::json!({"name": format!("Plan de mantenimiento {}", today.year()), "year": today.year(), "team_id": team,
        "activities": [
            {"what": "Revisión de la UPS", "item": "UPS sede principal", "checklist": ["Medir carga", "Revisar baterías"],
             "dates": dates},
            {"what": "Limpieza de filtros", "item": "Aire acondicionado centro de datos", "checklist": ["Limpiar filtros"],
             "every": {"unit": "week", "n": 1}, "starts": format!("{}-01-01", today.year())}]});
    let res = send(reqwest::Method::POST, &admin, "/api/v1/maintenance-plans", plan).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let out = mesa(&test_db, &["automation", "run", "--now", &chrono::Utc::now().to_rfc3339()], None);
    let number: i64 = out
        .lines()
        .find_map(|l| l.strip_suffix(": maintenance_due"))
        .and_then(|l| l.strip_prefix("ticket "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a maintenance ticket opened: {out}"));
    let res = send(
        reqwest::Method::PUT,
        &agent,
        &format!("/api/v1/tickets/{number}/checklist/0"),
        serde_json::json!({"done": true}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = send(
        reqwest::Method::POST,
        &agent,
        &format!("/api/v1/tickets/{number}/transitions"),
        serde_json::json!({"to": "solved", "resolution": "Revisión hecha"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let driver = Driver::start();
    let c = driver.browser().await;
    sign_in(&c, &base, "lider@mesa.test").await;
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&format!("{base}/maintenance")).await.unwrap();
    assert!(body_text(&c).await.contains("UPS sede principal"));
    wcag_audit(&c, "/maintenance").await;
    shot(&c, "maintenance-plans").await;

    c.goto(&format!("{base}/maintenance/calendar?month={month}")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("Hecho a tiempo") || text.contains("Hecho tarde"), "{text}");
    wcag_audit(&c, "/maintenance/calendar").await;
    shot(&c, "maintenance-calendar").await;

    c.goto(&format!("{base}/logbooks/UPS%20sede%20principal")).await.unwrap();
    assert!(body_text(&c).await.contains("[x] Medir carga"));
    fill(&c, "logbook-work", "Cambio de baterías").await;
    fill(&c, "logbook-readings", "Autonomía 25 min").await;
    submit(&c, "#new-entry button[type=submit]").await;
    assert!(body_text(&c).await.contains("Autonomía 25 min"));
    wcag_audit(&c, "/logbooks/{item}").await;
    shot(&c, "logbook").await;

    // The management report of the days so far (issue 17): the maintenance
    // ticket and the plan's compliance, the filter form sent with "all".
    c.goto(&format!("{base}/reports?from={first}&to={today}")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("Mantenimiento preventivo") && text.contains("Plan de mantenimiento"), "{text}");
    wcag_audit(&c, "/reports").await;
    shot(&c, "reports").await;
    submit(&c, "form.filters button[type=submit]").await;
    assert!(c.find(Locator::Css("[role=alert]")).await.is_err(), "choosing \"all\" is no error");
    assert!(body_text(&c).await.contains("Informe de gestión"));
    let href = c.find(Locator::LinkText("CSV")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("/reports/summary.csv?from="), "{href}");
    assert!(!href.contains("service_id="), "empty filters are left out of the links: {href}");

    // Indicators (issue 17): a goal the month misses, and an action refused
    // for a missing text that keeps what was typed.
    let goal =
        serde_json::json!({"code": "IND-01", "name": "Casos solucionados", "formula": "solved_percent", "goal": 150});
    let res = send(reqwest::Method::POST, &admin, "/api/v1/indicators", goal).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    c.goto(&format!("{base}/indicators?month={month}")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("IND-01") && text.contains("No cumple"), "{text}");
    wcag_audit(&c, "/indicators").await;
    c.execute("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))", vec![])
        .await
        .unwrap();
    fill(&c, "action-cause", "Vacaciones del equipo").await;
    c.execute("document.getElementById('action-due').value = '2099-01-31';", vec![]).await.unwrap();
    submit(&c, "#new-action button[type=submit]").await;
    assert!(c.find(Locator::Css("#action-error")).await.is_ok(), "the missing action is named");
    let kept = c.find(Locator::Id("action-cause")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("Vacaciones del equipo"));
    wcag_audit(&c, "/indicators with an error").await;
    fill(&c, "action-what", "Reforzar el turno").await;
    submit(&c, "#new-action button[type=submit]").await;
    assert!(body_text(&c).await.contains("Reforzar el turno"));
    shot(&c, "indicators").await;

    // The institution's logo (issue 17): uploaded as a PNG, then previewed.
    c.goto(&format!("{base}/admin/institution")).await.unwrap();
    wcag_audit(&c, "/admin/institution").await;
    let file = test_db.data_path().join("logo.png");
    let mut png_bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut png_bytes, 120, 40);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[12u8, 70, 140].repeat(120 * 40)).unwrap();
    drop(writer);
    std::fs::write(&file, &png_bytes).unwrap();
    c.find(Locator::Id("institution-logo-file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    submit(&c, "#institution-logo form button[type=submit]").await;
    assert!(c.find(Locator::Css("#institution-logo img")).await.is_ok(), "the logo is previewed");
    wcag_audit(&c, "/admin/institution with a logo").await;
    shot(&c, "institution").await;

    // A plan with a date outside its year: the error, and what was typed stays.
    c.goto(&format!("{base}/maintenance/plans/new")).await.unwrap();
    wcag_audit(&c, "/maintenance/plans/new").await;
    c.execute("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))", vec![])
        .await
        .unwrap();
    fill(&c, "plan-name", "Plan de redes").await;
    c.execute(&format!("document.getElementById('plan-team').value = '{team}';"), vec![]).await.unwrap();
    fill(&c, "a0-what", "Revisión del switch principal").await;
    fill(&c, "a0-item", "Switch núcleo").await;
    c.execute("document.getElementById('a0-schedule').value = 'dates';", vec![]).await.unwrap();
    fill(&c, "a0-dates", "2001-01-01").await;
    submit(&c, "#plan button[type=submit]").await;
    assert!(c.find(Locator::Css("[role=alert]")).await.is_ok());
    let kept = c.find(Locator::Id("a0-what")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("Revisión del switch principal"));
    wcag_audit(&c, "/maintenance/plans/new with an error").await;
    shot(&c, "maintenance-plan-form").await;

    c.set_window_size(390, 844).await.unwrap();
    for path in [
        "/maintenance",
        "/maintenance/calendar",
        "/logbooks/UPS%20sede%20principal",
        "/maintenance/plans/new",
        "/reports",
        "/indicators",
        "/admin/institution",
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        assert_eq!(too_wide(&c).await, serde_json::json!([]), "{path} scrolls sideways on a phone");
    }
    c.close().await.unwrap();
}
