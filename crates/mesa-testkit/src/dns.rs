//! A DNS server for tests, on a random UDP port of 127.0.0.1: it answers TXT
//! (and A) questions from records the test put in, NXDOMAIN for any other
//! name, SERVFAIL for names marked failing, and nothing at all for names
//! marked silent (a resolver's timeout). Answers carry a TTL of 0, so no
//! resolver or cache keeps them: a record the test changes or breaks is seen
//! at once. Mesa's resolver is pointed at it
//! (`SenderVerifier::with_servers`, `mail.dns_servers`), so sender
//! authentication runs the production code path against known answers.
//!
//! Also [`DkimKey`]: an Ed25519 key made in the test, its DNS record, and
//! DKIM signatures with it.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use base64::Engine;
use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;
use tokio::net::UdpSocket;

#[derive(Debug, Default)]
struct Zone {
    txt: HashMap<String, Vec<String>>,
    a: HashMap<String, Vec<Ipv4Addr>>,
    failing: Vec<String>,
    silent: Vec<String>,
}

/// A running test DNS server; it stops when dropped.
#[derive(Debug, Clone)]
pub struct TestDns {
    addr: SocketAddr,
    zone: Arc<Mutex<Zone>>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl Drop for TestDns {
    fn drop(&mut self) {
        if Arc::strong_count(&self.task) == 1 {
            self.task.abort();
        }
    }
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl TestDns {
    /// Starts a server on the current tokio runtime.
    pub async fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind the test DNS server");
        let addr = socket.local_addr().expect("its address");
        let zone = Arc::new(Mutex::new(Zone::default()));
        let serving = zone.clone();
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, peer)) = socket.recv_from(&mut buf).await else { continue };
                let Ok(query) = Message::from_vec(&buf[..n]) else { continue };
                if let Some(answer) = answer(&serving, &query) {
                    let _ = socket.send_to(&answer, peer).await;
                }
            }
        });
        Self { addr, zone, task: Arc::new(task) }
    }

    /// Where the server listens (give it to the resolver).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Adds a TXT record (e.g. `_dmarc.cajica.gov.co`, `v=DMARC1; p=reject`).
    pub fn txt(&self, name: &str, value: &str) -> &Self {
        self.zone.lock().expect("zone").txt.entry(key(name)).or_default().push(value.to_owned());
        self
    }

    /// Adds an A record.
    pub fn a(&self, name: &str, ip: Ipv4Addr) -> &Self {
        self.zone.lock().expect("zone").a.entry(key(name)).or_default().push(ip);
        self
    }

    /// Questions about `name` (or below it) get SERVFAIL.
    pub fn failing(&self, name: &str) -> &Self {
        self.zone.lock().expect("zone").failing.push(key(name));
        self
    }

    /// Answers every name normally again (undoes `failing` and `silent`).
    pub fn heal(&self) -> &Self {
        let mut zone = self.zone.lock().expect("zone");
        zone.failing.clear();
        zone.silent.clear();
        self
    }

    /// Questions about `name` (or below it) are never answered.
    pub fn silent(&self, name: &str) -> &Self {
        self.zone.lock().expect("zone").silent.push(key(name));
        self
    }
}

fn under(name: &str, zone: &str) -> bool {
    name == zone || name.ends_with(&format!(".{zone}"))
}

fn answer(zone: &Mutex<Zone>, query: &Message) -> Option<Vec<u8>> {
    let zone = zone.lock().ok()?;
    let mut response = Message::response(query.metadata.id, query.metadata.op_code);
    response.metadata.message_type = MessageType::Response;
    response.metadata.recursion_desired = query.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.authoritative = true;
    let mut found = false;
    for question in &query.queries {
        response.add_query(question.clone());
        let name = key(&question.name().to_ascii());
        if zone.silent.iter().any(|z| under(&name, z)) {
            return None;
        }
        if zone.failing.iter().any(|z| under(&name, z)) {
            response.metadata.response_code = ResponseCode::ServFail;
            return response.to_vec().ok();
        }
        let owner = Name::from_ascii(format!("{name}.")).ok()?;
        match question.query_type() {
            RecordType::TXT => {
                for value in zone.txt.get(&name).into_iter().flatten() {
                    // Character strings are at most 255 bytes; long keys are split.
                    let chunks =
                        value.as_bytes().chunks(255).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
                    response.add_answer(Record::from_rdata(owner.clone(), 0, RData::TXT(TXT::new(chunks))));
                    found = true;
                }
            }
            RecordType::A => {
                for ip in zone.a.get(&name).into_iter().flatten() {
                    response.add_answer(Record::from_rdata(owner.clone(), 0, RData::A(A(*ip))));
                    found = true;
                }
            }
            _ => {}
        }
        let exists = zone.txt.keys().chain(zone.a.keys()).any(|n| n == &name);
        if !found && !exists {
            response.metadata.response_code = ResponseCode::NXDomain;
        }
    }
    response.to_vec().ok()
}

/// An Ed25519 DKIM key for `domain` under `selector`, made in the test.
pub struct DkimKey {
    pub domain: String,
    pub selector: String,
    pkcs8: Vec<u8>,
}

impl DkimKey {
    pub fn generate(domain: &str, selector: &str) -> Self {
        let pkcs8 = Ed25519Key::generate_pkcs8().expect("an Ed25519 key");
        Self { domain: domain.to_owned(), selector: selector.to_owned(), pkcs8 }
    }

    /// The record's name, `selector._domainkey.domain`.
    pub fn record_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    /// The record's text, `v=DKIM1; k=ed25519; p=…`.
    pub fn record(&self) -> String {
        let key = Ed25519Key::from_pkcs8_der(&self.pkcs8).expect("the key reads back");
        format!("v=DKIM1; k=ed25519; p={}", base64::engine::general_purpose::STANDARD.encode(key.public_key()))
    }

    /// Publishes the key in `dns`.
    pub fn publish(&self, dns: &TestDns) {
        dns.txt(&self.record_name(), &self.record());
    }

    /// `raw` with a `DKIM-Signature` of this key prepended (From, To, Cc,
    /// Subject, Message-ID, In-Reply-To and Date signed).
    pub fn sign(&self, raw: &[u8]) -> Vec<u8> {
        let key = Ed25519Key::from_pkcs8_der(&self.pkcs8).expect("the key reads back");
        let signature = DkimSigner::from_key(key)
            .domain(&self.domain)
            .selector(&self.selector)
            .headers(["From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "Date"])
            .sign(raw)
            .expect("signs");
        let mut signed = signature.to_header().into_bytes();
        signed.extend_from_slice(raw);
        signed
    }
}
