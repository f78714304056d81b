//! The HTML interface without a browser: headers, escaping, forms.

use mesa_testkit::databases;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};

use crate::support::{Desk, PASSWORD, mesa};

/// A signed-in browser: its session cookie and CSRF token.
pub(crate) struct Web {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

pub(crate) fn cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let pair = v.split(';').next()?;
        let (k, val) = pair.split_once('=')?;
        (k == name).then(|| val.to_owned())
    })
}

pub(crate) fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

impl Web {
    pub(crate) async fn sign_in(desk: &Desk, email: &str) -> Web {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let base = desk.server.base_url.clone();
        let res = http.get(format!("{base}/login")).send().await.unwrap();
        let login_cookie = cookie_value(&res, "mesa_login_csrf").unwrap();
        let token = csrf_in(&res.text().await.unwrap());
        let res = http
            .post(format!("{base}/login"))
            .header("cookie", format!("mesa_login_csrf={login_cookie}"))
            .form(&[("email", email), ("password", PASSWORD), ("csrf", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()[LOCATION], "/tickets");
        let set = res.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
        let cookie = cookie_value(&res, "mesa_session").unwrap();
        let mut web = Web { http, base, cookie, csrf: String::new() };
        web.csrf = csrf_in(&web.get("/tickets").await.1);
        web
    }

    pub(crate) async fn get(&self, path: &str) -> (Page, String) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("mesa_session={}", self.cookie))
            .send()
            .await
            .unwrap();
        let page = Page { status: res.status(), headers: res.headers().clone() };
        (page, res.text().await.unwrap())
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut fields: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        fields.extend_from_slice(form);
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("mesa_session={}", self.cookie))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }
}

/// A page's status and headers (its body is returned beside it).
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
}

#[tokio::test]
async fn pages_escape_user_text_and_carry_a_strict_content_security_policy() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let n = desk.open(&desk.ana, "<script>alert('x')</script> impresora", "<img src=x onerror=alert(1)>").await;
        let web = Web::sign_in(&desk, "ana@mesa.test").await;
        let (res, html) = web.get(&format!("/tickets/{n}")).await;
        assert_eq!(res.status, StatusCode::OK);
        let csp = res.headers[CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
        );
        assert!(!html.contains("<script>alert") && !html.contains("<img src=x"), "user text must be escaped");
        assert!(html.contains("&#60;script&#62;"), "shown as text");
        let (_, list) = web.get("/tickets").await;
        assert!(!list.contains("<script>alert"));
        // signed out: / goes to /login; a page needs a session
        let res = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(desk.server.url("/tickets"))
            .send()
            .await
            .unwrap();
        assert_eq!((res.status(), res.headers()[LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_repeated_failures_make_the_account_wait() {
    let desk = Desk::start(mesa_testkit::Db::Sqlite).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut last = String::new();
    for _ in 0..11 {
        let res = http.get(desk.server.url("/login")).send().await.unwrap();
        let cookie = cookie_value(&res, "mesa_login_csrf").unwrap();
        let token = csrf_in(&res.text().await.unwrap());
        let res = http
            .post(desk.server.url("/login"))
            .header("cookie", format!("mesa_login_csrf={cookie}"))
            .form(&[("email", "ana@mesa.test"), ("password", "incorrecta-123"), ("csrf", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "the form comes back");
        assert!(cookie_value(&res, "mesa_session").is_none());
        last = res.text().await.unwrap();
    }
    assert!(last.contains("Demasiados intentos"), "{last}");
}

#[tokio::test]
async fn admins_edit_users_and_settings_from_the_administration_page() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let admin = Web::sign_in(&desk, "lider@mesa.test").await;
        let res = admin
            .post(
                "/admin/users/edit",
                &[("email", "beto@mesa.test"), ("role", "agent"), ("level", "2"), ("active", "1")],
            )
            .await;
        assert_eq!(res.headers()[LOCATION], "/admin?saved=1");
        let (_, users) = desk.get(&desk.admin, "/api/v1/users").await;
        let b = users.as_array().unwrap().iter().find(|u| u["email"] == "beto@mesa.test").unwrap();
        assert_eq!((b["role"].as_str(), b["level"].as_i64()), (Some("agent"), Some(2)));
        // an admin cannot lock themself out
        let res = admin
            .post(
                "/admin/users/edit",
                &[("email", "lider@mesa.test"), ("role", "agent"), ("level", "1"), ("active", "1")],
            )
            .await;
        assert!(res.headers()[LOCATION].to_str().unwrap().contains("code=self_lockout"));
        let (_, page) = admin.get("/admin?form=users&field=role&code=self_lockout").await;
        assert!(page.contains("no puede quitarse"), "the error is shown next to the form");
        // settings
        let res = admin
            .post(
                "/admin/settings",
                &[
                    ("pausing_reasons", "vendor"),
                    ("warn_at_percent", "80"),
                    ("auto_close", "1"),
                    ("auto_close_after_hours", "16"),
                    ("requester_timeout_days", "3"),
                    ("approval_reminder_after_hours", "8"),
                ],
            )
            .await;
        assert_eq!(res.headers()[LOCATION], "/admin?saved=1");
        let (_, sla) = desk.get(&desk.admin, "/api/v1/settings/sla").await;
        assert_eq!(sla, serde_json::json!({"pausing_reasons": ["vendor"], "warn_at_percent": 80}));
        let (_, auto) = desk.get(&desk.admin, "/api/v1/settings/automation").await;
        assert_eq!(
            (auto["auto_close_after_hours"].as_f64(), auto["requester_timeout"].as_bool()),
            (Some(16.0), Some(false))
        );
        // a requester is refused
        let ana = Web::sign_in(&desk, "ana@mesa.test").await;
        assert_eq!(ana.get("/admin").await.0.status, StatusCode::FORBIDDEN);
        assert_eq!(ana.post("/admin/settings", &[("warn_at_percent", "50")]).await.status(), StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn the_queue_filters_by_creation_date_and_files_can_be_added_from_the_ticket_page() {
    let desk = Desk::start(mesa_testkit::Db::Sqlite).await;
    let n = desk.open(&desk.ana, "Con fecha", "x").await;
    let agent = Web::sign_in(&desk, "tecnico@mesa.test").await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::America::Bogota).date_naive();
    let (_, html) = agent.get(&format!("/tickets?queue=all&from={today}&to={today}")).await;
    assert!(html.contains("Con fecha"));
    let tomorrow = today + chrono::Duration::days(1);
    let (_, html) = agent.get(&format!("/tickets?queue=all&from={tomorrow}")).await;
    assert!(!html.contains("Con fecha"));
    let form = reqwest::multipart::Form::new()
        .text("csrf", agent.csrf.clone())
        .part("files", reqwest::multipart::Part::bytes(b"hola".to_vec()).file_name("nota.txt"));
    let res = agent
        .http
        .post(format!("{}/tickets/{n}/files", agent.base))
        .header("cookie", format!("mesa_session={}", agent.cookie))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = agent.get(&format!("/tickets/{n}")).await;
    assert!(page.contains("nota.txt"));
    // files before the token are refused
    let form = reqwest::multipart::Form::new()
        .part("files", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.txt"));
    let res = agent
        .http
        .post(format!("{}/tickets/{n}/files", agent.base))
        .header("cookie", format!("mesa_session={}", agent.cookie))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn admins_set_up_mail_from_the_mail_page_and_nobody_else_can() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let admin = Web::sign_in(&desk, "lider@mesa.test").await;
        let (page, html) = admin.get("/admin/mail").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(html.contains("Buzones") && html.contains("Plantillas"), "Spanish first");
        // policy
        let res = admin
            .post(
                "/admin/mail/settings",
                &[
                    ("tag_prefix", "Mesa"),
                    ("reopen_within_days", "7"),
                    ("stranger_tag", "quarantine"),
                    ("allowed_domains", "alcaldia.gov.co, concejo.gov.co"),
                    ("auto_reply", "1"),
                    ("auto_replies_per_hour", "3"),
                ],
            )
            .await;
        assert_eq!(res.headers()[LOCATION], "/admin/mail?saved=1");
        let (_, mail) = desk.get(&desk.admin, "/api/v1/settings/mail").await;
        assert_eq!(mail["tag_prefix"], "Mesa");
        assert_eq!(mail["allowed_domains"], serde_json::json!(["alcaldia.gov.co", "concejo.gov.co"]));
        assert_eq!(mail["notify_agents"], false);
        // a mailbox: the password is kept but never shown again
        let fields = [
            ("name", "soporte"),
            ("host", "imap.alcaldia.gov.co"),
            ("security", "tls"),
            ("username", "soporte@alcaldia.gov.co"),
            ("auth", "password"),
            ("secret", "clave-del-buzón"),
            ("enabled", "1"),
        ];
        assert_eq!(admin.post("/admin/mail/mailboxes", &fields).await.headers()[LOCATION], "/admin/mail?saved=1");
        let (_, html) = admin.get("/admin/mail").await;
        assert!(html.contains("imap.alcaldia.gov.co:993") && !html.contains("clave-del-buzón"));
        let (_, boxes) = desk.get(&desk.admin, "/api/v1/mailboxes").await;
        assert_eq!(boxes[0]["port"], 993);
        assert!(!boxes.to_string().contains("clave"));
        // a mistake is named
        let res = admin.post("/admin/mail/mailboxes", &[("name", "x y"), ("host", "h"), ("username", "u")]).await;
        assert!(res.headers()[LOCATION].to_str().unwrap().contains("field=name"));
        // a template edited in Spanish only; an unknown placeholder is refused
        let res = admin
            .post(
                "/admin/mail/templates",
                &[("created.es.subject", "{tag} Radicado {number}"), ("created.es.body", "Su radicado es {number}.")],
            )
            .await;
        assert_eq!(res.headers()[LOCATION], "/admin/mail?saved=1");
        let (_, t) = desk.get(&desk.admin, "/api/v1/settings/mail-templates").await;
        assert_eq!(t["overrides"]["created"]["es"]["subject"], "{tag} Radicado {number}");
        assert!(t["overrides"]["created"].get("en").is_none());
        let res =
            admin.post("/admin/mail/templates", &[("closed.en.subject", "{oops}"), ("closed.en.body", "x")]).await;
        assert!(res.headers()[LOCATION].to_str().unwrap().contains("code=unknown_placeholder"));
        // without the CSRF token, or as a requester: refused
        let res = admin
            .http
            .post(format!("{}/admin/mail/settings", admin.base))
            .header("cookie", format!("mesa_session={}", admin.cookie))
            .form(&[("tag_prefix", "X")])
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), StatusCode::SEE_OTHER);
        let ana = Web::sign_in(&desk, "ana@mesa.test").await;
        assert_eq!(ana.get("/admin/mail").await.0.status, StatusCode::FORBIDDEN);
        let (status, _) = desk.get(&desk.agent, "/api/v1/mail/held").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn mail_shows_its_sanitised_formatting_with_its_inline_images() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mesa-mail/tests/corpus");
    for db in databases() {
        let desk = Desk::start(db).await;
        let mut numbers = Vec::new();
        for file in ["13-multipart-related-inline-image.eml", "16-html-only-hostile.eml"] {
            let raw = std::fs::read_to_string(corpus.join(file)).unwrap();
            let out = mesa(&desk.db, &["mail", "ingest", "--mailbox", "soporte"], Some(&raw));
            let last = out.lines().last().unwrap_or_default();
            numbers.push(last.strip_prefix("created ").expect(last).parse::<i64>().unwrap());
        }
        let web = Web::sign_in(&desk, "tecnico@mesa.test").await;
        let (_, page) = web.get(&format!("/tickets/{}", numbers[0])).await;
        assert!(page.contains(r#"<details class="html">"#), "the formatted mail is offered: {page}");
        assert!(!page.contains("cid:"), "inline images point at their attachment");
        let at = page.find(r#"<img src="/files/"#).expect("the inline image is shown") + r#"<img src="/files/"#.len();
        let id: String = page[at..].chars().take_while(char::is_ascii_digit).collect();
        let (file, _) = web.get(&format!("/files/{id}")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.headers["content-type"], "image/png");

        let (_, page) = web.get(&format!("/tickets/{}", numbers[1])).await;
        let html = &page[page.find(r#"<div class="mail-html">"#).expect("HTML-only mail is shown formatted")..];
        let html = &html[..html.find("</details>").unwrap()];
        assert!(html.contains("Buenas tardes"), "{html}");
        assert!(!html.contains("<script") && !html.contains("onclick") && !html.contains("style="), "{html}");
    }
}

#[tokio::test]
async fn the_mail_page_sets_up_a_self_renewing_oauth2_mailbox_and_never_shows_its_secrets() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let admin = Web::sign_in(&desk, "lider@mesa.test").await;
        let (_, html) = admin.get("/admin/mail").await;
        assert!(html.contains("Renovación automática del token OAuth2") && html.contains("name=\"refresh_token\""));

        // Nothing listens on port 9: the poller's failure shows on the page too.
        let mailbox = [
            ("name", "soporte"),
            ("host", "outlook.office365.com"),
            ("security", "tls"),
            ("username", "soporte@alcaldia.gov.co"),
            ("auth", "xoauth2"),
            ("token_url", "http://127.0.0.1:9/oauth2/v2.0/token"),
            ("client_id", "app-de-la-alcaldia"),
            ("client_secret", "secreto-de-cliente"),
            ("refresh_token", "token-de-actualizacion"),
            ("scope", "https://outlook.office365.com/IMAP.AccessAsUser.All offline_access"),
            ("enabled", "1"),
        ];
        let res = admin.post("/admin/mail/mailboxes", &mailbox).await;
        assert_eq!(res.headers()[LOCATION], "/admin/mail?saved=1", "{db:?}");
        let html = crate::mail_flow::eventually("the renewal error on the page", || async {
            let (_, html) = admin.get("/admin/mail").await;
            html.contains("cannot reach the token endpoint").then_some(html)
        })
        .await;
        assert!(html.contains("OAuth2 renovable"), "{db:?}");
        for secret in ["secreto-de-cliente", "token-de-actualizacion"] {
            assert!(!html.contains(secret), "{db:?}: {secret} on the page");
        }
        let (_, boxes) = desk.get(&desk.admin, "/api/v1/mailboxes").await;
        assert_eq!(boxes[0]["client_id"], "app-de-la-alcaldia");
        assert!(!boxes.to_string().contains("secreto") && !boxes.to_string().contains("actualizacion"), "{boxes}");

        // A token endpoint in plain http elsewhere than this machine is named and explained.
        let mut plain = mailbox;
        plain[5] = ("token_url", "http://login.microsoftonline.com/alcaldia/oauth2/v2.0/token");
        let res = admin.post("/admin/mail/mailboxes", &plain).await;
        let location = res.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.contains("field=token_url&code=not_https"), "{location}");
        let (_, html) = admin.get(&location).await;
        assert!(html.contains("URL de tokens (token endpoint): debe empezar por https://"), "{db:?}");
    }
}

#[tokio::test]
async fn admins_keep_the_calendar_on_its_page_and_a_failing_form_keeps_what_they_typed() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let admin = Web::sign_in(&desk, "lider@mesa.test").await;
        let (page, html) = admin.get("/admin/calendars?year=2026").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            html.contains("Día de Nuestra Señora del Rosario de Chiquinquirá") && html.contains("Ley 2578 de 2026")
        );
        assert!(html.contains("13/07/2026"));
        let res =
            calendar_form(&admin, "add_day_off", &[("date", "2026-11-25"), ("name", "Día cívico <alcaldía>")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(
            res.headers()[LOCATION].to_str().unwrap().starts_with("/admin/calendars?name=default&year=2026&saved=1")
        );
        let res = calendar_form(&admin, "add_special", &[("date", "2026-12-24"), ("hours", "08:00-12:00")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = calendar_form(&admin, "work_holiday", &[("date", "2026-12-08"), ("worked", "1")]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, one) = desk.get(&desk.admin, "/api/v1/calendars/default").await;
        assert_eq!(
            one["config"]["non_working_dates"],
            serde_json::json!([{"date": "2026-11-25", "name": "Día cívico <alcaldía>"}])
        );
        assert_eq!(one["config"]["special_hours"], serde_json::json!({"2026-12-24": ["08:00-12:00"]}));
        assert_eq!(one["config"]["worked_holidays"], serde_json::json!(["2026-12-08"]));

        // A wrong interval: the page comes back with the message and the typed text.
        let res = calendar_form(&admin, "add_special", &[("date", "2026-12-31"), ("hours", "8 a 12")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("role=\"alert\"") && html.contains("HH:MM-HH:MM"), "the reason is shown");
        assert!(html.contains("value=\"8 a 12\"") && html.contains("value=\"2026-12-31\""), "what was typed is kept");
        let res = calendar_form(&admin, "hours", &[("timezone", "Colombia/Cajica"), ("monday", "08:00-12:00")]).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("value=\"Colombia/Cajica\""));

        // The page shows the day off with its (escaped) name, the preview and the history.
        let (_, html) = admin.get("/admin/calendars?year=2026&start=2026-11-20T16:00&hours=72").await;
        assert!(
            html.contains("Día cívico &lt;alcaldía&gt;") || html.contains("Día cívico &#60;alcaldía&#62;"),
            "escaped"
        );
        assert!(html.contains("04/12/2026 16:00"), "the preview counts the día cívico");
        assert!(html.contains("lider"), "the history names who changed it");
        let (_, history) = desk.get(&desk.admin, "/api/v1/settings/history").await;
        assert_eq!(history.as_array().unwrap().len(), 3, "three saved forms, three records; refused forms none");

        // Nobody else may see or change it.
        let agent = Web::sign_in(&desk, "tecnico@mesa.test").await;
        assert_eq!(agent.get("/admin/calendars").await.0.status, StatusCode::FORBIDDEN);
        let refused = agent
            .post("/admin/calendars", &[("calendar", "default"), ("action", "remove_day_off"), ("date", "2026-11-25")])
            .await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    }
}

/// Posts one of the calendar page's forms for the `default` calendar.
async fn calendar_form(web: &Web, action: &str, extra: &[(&str, &str)]) -> reqwest::Response {
    let mut form = vec![("calendar", "default"), ("year", "2026"), ("action", action)];
    form.extend_from_slice(extra);
    web.post("/admin/calendars", &form).await
}
