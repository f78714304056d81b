//! Case numbers: consecutive, no gaps, no duplicates, whatever the
//! concurrency, also with several server processes on one database.

use mesa_testkit::{TestServer, databases};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Desk, bin};

#[tokio::test]
async fn numbers_stay_consecutive_when_two_servers_create_tickets_at_once() {
    for db in databases() {
        let desk = Desk::start(db).await;
        let second = TestServer::start(bin(), &desk.db, &[]);
        const CLIENTS_PER_SERVER: usize = 4;
        const TICKETS_PER_CLIENT: usize = 25;
        let mut tasks = Vec::new();
        for base in [desk.server.base_url.clone(), second.base_url.clone()] {
            for c in 0..CLIENTS_PER_SERVER {
                let (http, base, token) = (desk.http.clone(), base.clone(), desk.agent.clone());
                tasks.push(tokio::spawn(async move {
                    let mut numbers = Vec::new();
                    for i in 0..TICKETS_PER_CLIENT {
                        let res = http
                            .post(format!("{base}/api/v1/tickets"))
                            .bearer_auth(&token)
                            .json(&json!({"subject": format!("Caso {c}-{i}"), "description": "concurrencia"}))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(res.status(), StatusCode::CREATED);
                        let body: serde_json::Value = res.json().await.unwrap();
                        numbers.push(body["number"].as_i64().unwrap());
                    }
                    numbers
                }));
            }
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all.sort_unstable();
        let expected: Vec<i64> = (1..=(2 * CLIENTS_PER_SERVER * TICKETS_PER_CLIENT) as i64).collect();
        assert_eq!(all, expected, "{db:?}: numbers have gaps or duplicates");
    }
}
