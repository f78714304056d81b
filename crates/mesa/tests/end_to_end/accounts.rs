//! Accounts, people, the catalog and the desk's words through the real
//! binary: `POST /password-resets`, the reset form and the link page,
//! `PATCH /users/{email}`, `mesa user import`, catalog edits and
//! deactivation, `/settings/labels`, and the close reason.

use std::time::{Duration, Instant};

use mesa_app::Store;
use mesa_testkit::{TestDb, databases, run_cli};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::json;

use crate::support::{Desk, bin, code, mesa};

const PUBLIC: &str = "https://mesa.cajica.gov.co";

async fn desk_with_mail(kind: mesa_testkit::Db) -> Desk {
    Desk::start_with(kind, &["--mail-from", "soporte@cajica.gov.co", "--public-url", PUBLIC]).await
}

/// The text of the mails queued for `to` (newest first), read from the database.
async fn mails_to(db: &TestDb, to: &str) -> Vec<(String, String)> {
    let store = Store::open(db.data_path(), db.database_url.as_deref()).await.unwrap();
    let out = store
        .outbox(200)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.recipients == to)
        .map(|m| (m.kind, mesa_mail::parse(&m.raw).unwrap().text))
        .collect();
    store.close().await;
    out
}

async fn eventually_mail(db: &TestDb, to: &str, count: usize) -> Vec<(String, String)> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mails = mails_to(db, to).await;
        if mails.len() >= count {
            return mails;
        }
        assert!(Instant::now() < deadline, "no mail for {to}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn link_path(text: &str) -> String {
    let at = text.find(&format!("{PUBLIC}/links/")).expect("a link") + PUBLIC.len();
    text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_')).collect()
}

fn cookie_value(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let (k, val) = v.split(';').next()?.split_once('=')?;
        (k == name).then(|| val.to_owned())
    })
}

#[tokio::test]
async fn a_password_reset_answers_the_same_for_everyone_and_its_link_works_once() {
    for kind in databases() {
        let desk = desk_with_mail(kind).await;
        let anon = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let mut answers = Vec::new();
        for email in ["ana@mesa.test", "nadie@mesa.test"] {
            let res = anon
                .post(desk.server.url("/api/v1/password-resets"))
                .json(&json!({"email": email}))
                .send()
                .await
                .unwrap();
            answers.push((res.status(), res.text().await.unwrap()));
        }
        assert_eq!(answers[0], answers[1], "{kind:?}: no account enumeration");
        assert_eq!(answers[0].0, StatusCode::ACCEPTED);
        let mails = eventually_mail(&desk.db, "ana@mesa.test", 1).await;
        assert_eq!(mails[0].0, "password_reset");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(mails_to(&desk.db, "nadie@mesa.test").await.is_empty());

        // The link's page shows a form; posting it sets the password, once.
        let path = link_path(&mails[0].1);
        let res = anon.get(desk.server.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("name=\"password\""));
        let res = anon.post(desk.server.url(&path)).form(&[("password", "nueva-clave-de-ana")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let res = anon.post(desk.server.url(&path)).form(&[("password", "otra-clave-de-ana")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::GONE, "{kind:?}: a used link");
        let res = anon.get(desk.server.url("/links/mesa_nada")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::GONE);

        // The web form gives the same answer for any address.
        let res = anon.get(desk.server.url("/password-reset")).send().await.unwrap();
        let csrf_cookie = cookie_value(&res, "mesa_login_csrf").unwrap();
        let html = res.text().await.unwrap();
        let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
        let token = html[at..].split('"').next().unwrap().to_owned();
        let mut pages = Vec::new();
        for email in ["beto@mesa.test", "nadie@mesa.test"] {
            let res = anon
                .post(desk.server.url("/password-reset"))
                .header("cookie", format!("mesa_login_csrf={csrf_cookie}"))
                .form(&[("email", email), ("csrf", &token)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let page = res.text().await.unwrap();
            let at = page.find("role=\"status\"").expect("the notice");
            pages.push(page[at..at + 200].to_owned());
        }
        assert_eq!(pages[0], pages[1]);
        eventually_mail(&desk.db, "beto@mesa.test", 1).await;
        let login = anon.get(desk.server.url("/login")).send().await.unwrap().text().await.unwrap();
        assert!(login.contains("href=\"/password-reset\""), "/login links to the form");
    }
}

#[tokio::test]
async fn admins_patch_people_and_a_person_patches_only_their_phone() {
    for kind in databases() {
        let desk = Desk::start(kind).await;
        let (_, team) = desk.post(&desk.admin, "/api/v1/teams", json!({"name": "Redes"})).await;
        let (_, dept) = desk.post(&desk.admin, "/api/v1/departments", json!({"name": "Hacienda"})).await;
        let (_, building) = desk.post(&desk.admin, "/api/v1/buildings", json!({"name": "Sede 1"})).await;
        let patch = json!({"team_id": team["id"], "level": 2, "dispatcher": true, "department_id": dept["id"],
                           "building_id": building["id"], "phone": "601 555 0101", "active": true});
        let (status, user) = desk.post_put("PATCH", &desk.admin, "/api/v1/users/tecnico@mesa.test", patch).await;
        assert_eq!(status, StatusCode::OK, "{kind:?}: {user}");
        assert_eq!((user["level"].as_i64(), user["dispatcher"].as_bool()), (Some(2), Some(true)));
        assert_eq!((user["team_id"].clone(), user["phone"].as_str()), (team["id"].clone(), Some("601 555 0101")));
        let (status, body) =
            desk.post_put("PATCH", &desk.admin, "/api/v1/users/ana@mesa.test", json!({"department_id": 99999})).await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("department_id"))
        );
        let (status, _) =
            desk.post_put("PATCH", &desk.admin, "/api/v1/users/nadie@mesa.test", json!({"level": 2})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, me) =
            desk.post_put("PATCH", &desk.ana, "/api/v1/users/ana@mesa.test", json!({"phone": "3001234567"})).await;
        assert_eq!((status, me["phone"].as_str()), (StatusCode::OK, Some("3001234567")));
        for (token, who, body) in [
            (&desk.ana, "ana@mesa.test", json!({"level": 3})),
            (&desk.ana, "beto@mesa.test", json!({"phone": "1"})),
            (&desk.agent, "ana@mesa.test", json!({"phone": "1"})),
            (&desk.manager, "ana@mesa.test", json!({"active": false})),
        ] {
            let (status, body) = desk.post_put("PATCH", token, &format!("/api/v1/users/{who}"), body).await;
            assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
        }
    }
}

#[tokio::test]
async fn user_import_dry_run_then_real_then_again_changes_nothing_the_second_time() {
    for kind in databases() {
        let desk = Desk::start(kind).await;
        desk.post(&desk.admin, "/api/v1/departments", json!({"name": "Secretaría de Hacienda"})).await;
        let file = desk.db.data_path().join("personas.csv");
        std::fs::write(
            &file,
            "email,name,role,department,phone,building\n\
             maria@mesa.test,María Pérez,solicitante,SECRETARIA DE HACIENDA,3001112233,\n\
             ana@mesa.test,Ana Gómez,,secretaría de hacienda,,\n\
             mal-correo,Nadie,,,,\n\
             luis@mesa.test,Luis,,Secretaría de Nada,,\n",
        )
        .unwrap();
        let path = file.display().to_string();
        let dry = mesa(&desk.db, &["user", "import", &path, "--dry-run"], None);
        let lines: Vec<&str> = dry.lines().collect();
        assert_eq!(lines.last(), Some(&"imported 1, updated 1, refused 2"), "{kind:?}: {dry}");
        assert_eq!(lines.len(), 3, "one line per refused row: {dry}");
        let (_, users) = desk.get(&desk.admin, "/api/v1/users").await;
        assert!(!users.to_string().contains("maria@mesa.test"), "a dry run changes nothing");
        let real = mesa(&desk.db, &["user", "import", &path], None);
        assert_eq!(real.lines().last(), Some("imported 1, updated 1, refused 2"));
        let again = mesa(&desk.db, &["user", "import", &path], None);
        assert_eq!(again.lines().last(), Some("imported 0, updated 0, refused 2"), "{kind:?}: {again}");
        let (_, users) = desk.get(&desk.admin, "/api/v1/users").await;
        let maria = users.as_array().unwrap().iter().find(|u| u["email"] == "maria@mesa.test").unwrap().clone();
        assert_eq!((maria["role"].as_str(), maria["phone"].as_str()), (Some("requester"), Some("3001112233")));
        assert!(maria["department_id"].is_i64());
        let mut args: Vec<String> = vec!["user".into(), "import".into(), "/no/existe.csv".into()];
        args.extend(desk.db.cli_args());
        assert!(!run_cli(bin(), &args, None).status.success());
    }
}

#[tokio::test]
async fn catalog_entries_are_edited_and_deactivated_but_kept_on_old_tickets() {
    for kind in databases() {
        let desk = Desk::start(kind).await;
        let (_, service) =
            desk.post(&desk.admin, "/api/v1/services", json!({"name": "Impresoras", "category": "Hardware"})).await;
        let id = service["id"].as_i64().unwrap();
        let (status, t) = desk
            .post(&desk.ana, "/api/v1/tickets", json!({"subject": "Atasco", "description": "x", "service_id": id}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        let n = t["number"].as_i64().unwrap();
        let (status, body) = desk
            .post_put(
                "PATCH",
                &desk.admin,
                &format!("/api/v1/services/{id}"),
                json!({"name": "Impresión", "active": false}),
            )
            .await;
        assert_eq!((status, body["active"].as_bool()), (StatusCode::OK, Some(false)), "{body}");
        let (_, list) = desk.get(&desk.ana, "/api/v1/services").await;
        assert!(list.as_array().unwrap().is_empty(), "{kind:?}: {list}");
        let (_, all) = desk.get(&desk.admin, "/api/v1/services?include_inactive=true").await;
        assert_eq!(all.as_array().unwrap().len(), 1);
        let (_, ticket) = desk.get(&desk.agent, &format!("/api/v1/tickets/{n}")).await;
        assert_eq!(ticket["service_id"].as_i64(), Some(id), "kept on the old ticket");
        let (status, _) = desk
            .post(&desk.ana, "/api/v1/tickets", json!({"subject": "b", "description": "x", "service_id": id}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for (path, name) in [("departments", "Hacienda"), ("buildings", "Sede"), ("teams", "Redes")] {
            let (_, item) = desk.post(&desk.admin, &format!("/api/v1/{path}"), json!({"name": name})).await;
            let item_path = format!("/api/v1/{path}/{}", item["id"]);
            let (status, _) = desk.post_put("PATCH", &desk.agent, &item_path, json!({"active": false})).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, body) = desk
                .post_put("PATCH", &desk.admin, &item_path, json!({"name": format!("{name} 2"), "active": false}))
                .await;
            assert_eq!((status, body["name"].as_str()), (StatusCode::OK, Some(format!("{name} 2").as_str())));
            let (_, list) = desk.get(&desk.agent, &format!("/api/v1/{path}")).await;
            assert!(list.as_array().unwrap().is_empty(), "{path}");
            let (_, list) = desk.get(&desk.agent, &format!("/api/v1/{path}?include_inactive=true")).await;
            assert_eq!(list[0]["active"], false);
            let (status, _) = desk.post_put("PATCH", &desk.admin, &format!("/api/v1/{path}/99999"), json!({})).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
        }
    }
}

#[tokio::test]
async fn the_desks_words_rename_statuses_in_labels_and_pages_and_a_close_keeps_its_reason() {
    for kind in databases() {
        let desk = Desk::start(kind).await;
        let words = json!({"es": {"status.new": "Radicado", "status.closed": "Cerrado definitivo"},
                           "en": {"status.new": "Filed"}});
        let (status, _) = desk.post_put("PUT", &desk.agent, "/api/v1/settings/labels", words.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, saved) = desk.post_put("PUT", &desk.admin, "/api/v1/settings/labels", words.clone()).await;
        assert_eq!((status, saved.clone()), (StatusCode::OK, words.clone()), "{kind:?}");
        let (_, got) = desk.get(&desk.agent, "/api/v1/settings/labels").await;
        assert_eq!(got, words);
        let (_, labels) = desk.get(&desk.ana, "/api/v1/labels?lang=es").await;
        assert_eq!(
            (labels["status.new"].as_str(), labels["status.solved"].as_str()),
            (Some("Radicado"), Some("Solucionado"))
        );
        let (_, labels) = desk.get(&desk.ana, "/api/v1/labels?lang=en").await;
        assert_eq!(labels["status.new"], "Filed");
        let (status, body) =
            desk.post_put("PUT", &desk.admin, "/api/v1/settings/labels", json!({"es": {"status.lost": "x"}})).await;
        assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("labels")));

        // The ticket page reads "Radicado".
        let n = desk.open(&desk.ana, "Correo lento", "Tarda mucho").await;
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let res = http.get(desk.server.url("/login")).send().await.unwrap();
        let login_cookie = cookie_value(&res, "mesa_login_csrf").unwrap();
        let html = res.text().await.unwrap();
        let at = html.find("name=\"csrf\" value=\"").unwrap() + 19;
        let csrf = html[at..].split('"').next().unwrap().to_owned();
        let res = http
            .post(desk.server.url("/login"))
            .header("cookie", format!("mesa_login_csrf={login_cookie}"))
            .form(&[("email", "ana@mesa.test"), ("password", crate::support::PASSWORD), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()[LOCATION], "/tickets");
        let session = cookie_value(&res, "mesa_session").unwrap();
        let page = http
            .get(desk.server.url(&format!("/tickets/{n}")))
            .header("cookie", format!("mesa_session={session}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Radicado"), "{kind:?}: the page uses the desk's word");

        // seed 004: a manual close by the lead records its reason.
        desk.transition(&desk.admin, n, json!({"to": "solved", "resolution": "Se limpió el buzón"})).await;
        let (status, _) =
            desk.transition(&desk.admin, n, json!({"to": "closed", "reason": "Sin respuesta del solicitante"})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, history) = desk.get(&desk.ana, &format!("/api/v1/tickets/{n}/history")).await;
        let close = history.as_array().unwrap().iter().find(|h| h["field"] == "close_reason").cloned();
        assert_eq!(
            close.and_then(|h| h["after"].as_str().map(str::to_owned)).as_deref(),
            Some("Sin respuesta del solicitante")
        );
    }
}
