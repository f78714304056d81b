//! Full-text search: Spanish-aware (accents and case do not matter), over
//! subject, description and thread.

use mesa_testkit::databases;
use serde_json::json;

use crate::support::Desk;

async fn numbers(desk: &Desk, token: &str, q: &str) -> Vec<i64> {
    let (status, body) = desk.get(token, &format!("/api/v1/tickets?q={}", urlencode(q))).await;
    assert!(status.is_success(), "{q}: {body}");
    let mut found: Vec<i64> = body["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()).collect();
    found.sort_unstable();
    assert_eq!(body["total"].as_i64().unwrap() as usize, found.len());
    assert_eq!(body["total_exact"], true, "{q}: {body}");
    found
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn search_ignores_accents_and_case_and_covers_the_thread() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let impresion = desk.open(&desk.ana, "Error de IMPRESIÓN", "La impresora de Contratación no responde").await;
        let correo = desk.open(&desk.ana, "Correo institucional", "No puedo enviar correos con adjuntos").await;
        let red = desk.open(&desk.beto, "Sin red", "El cable está dañado").await;
        desk.post(
            &desk.agent,
            &format!("/api/v1/tickets/{red}/replies"),
            json!({"body": "Revisaremos el switch del piso"}),
        )
        .await;
        desk.post(
            &desk.agent,
            &format!("/api/v1/tickets/{correo}/replies"),
            json!({"body": "Posible buzón lleno: revisar cuota", "internal": true}),
        )
        .await;

        assert_eq!(numbers(&desk, &desk.agent, "impresion").await, vec![impresion]);
        assert_eq!(numbers(&desk, &desk.agent, "Impresión").await, vec![impresion]);
        assert_eq!(numbers(&desk, &desk.agent, "CONTRATACION").await, vec![impresion]);
        assert_eq!(numbers(&desk, &desk.agent, "danado").await, vec![red]);
        assert_eq!(numbers(&desk, &desk.agent, "switch").await, vec![red], "replies are searched");
        assert_eq!(numbers(&desk, &desk.agent, "impres").await, vec![impresion], "prefixes match");
        assert_eq!(numbers(&desk, &desk.agent, "correo adjuntos").await, vec![correo], "all terms must match");
        assert!(numbers(&desk, &desk.agent, "correo switch").await.is_empty());
        assert_eq!(numbers(&desk, &desk.agent, "buzón").await, vec![correo], "staff search internal notes");
        assert!(numbers(&desk, &desk.ana, "buzon").await.is_empty(), "requesters do not search internal notes");
        assert!(numbers(&desk, &desk.agent, "\"'*:() & | !").await.len() == 3, "punctuation only: no filter");
        assert_eq!(numbers(&desk, &desk.ana, "cable").await, Vec::<i64>::new(), "not her ticket");
    }
}

#[tokio::test]
async fn search_results_page_newest_first_without_repeats_and_terms_may_match_in_different_entries() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let mut opened = Vec::new();
        for i in 0..23 {
            let n = desk.open(&desk.ana, &format!("Tóner agotado {i}"), "La impresora pide tóner").await;
            if i % 3 == 0 {
                // The word again in the thread: the ticket still counts once.
                let reply = json!({"body": "Llevamos tóner y un cartucho de repuesto"});
                desk.post(&desk.agent, &format!("/api/v1/tickets/{n}/replies"), reply).await;
            }
            opened.push(n);
        }
        desk.open(&desk.ana, "Pantalla negra", "No enciende").await;
        opened.reverse();
        let mut seen = Vec::new();
        for page in 1..=3 {
            let (status, body) =
                desk.get(&desk.agent, &format!("/api/v1/tickets?q=toner&per_page=10&page={page}")).await;
            assert!(status.is_success(), "{body}");
            assert_eq!(body["total"], 23, "{db:?}");
            seen.extend(body["items"].as_array().unwrap().iter().map(|t| t["number"].as_i64().unwrap()));
        }
        assert_eq!(seen, opened, "{db:?}: every match once, newest first");
        // "agotado" is in the subject, "repuesto" only in a reply.
        let both: Vec<i64> = opened.iter().copied().filter(|n| (n - opened.last().unwrap()) % 3 == 0).collect();
        let mut both_sorted = both.clone();
        both_sorted.sort_unstable();
        assert_eq!(numbers(&desk, &desk.agent, "agotado repuesto").await, both_sorted, "{db:?}");
    }
}
