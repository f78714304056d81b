//! Real mail servers for tests: a Dovecot IMAP server and an SMTP sink, each a
//! child process on a free loopback port with all its files in a temporary
//! directory, killed when dropped. Every test starts its own, so tests run in
//! parallel and never see each other's mail.
//!
//! They need Debian packages (`dovecot-imapd`, `python3-aiosmtpd`); when one is
//! missing the test fails and says which package to install: a mail test that
//! silently skips would pass on a machine that cannot run it.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;

const DOVECOT: &str = "/usr/sbin/dovecot";
const DOVECOT_IMAP: &str = "/usr/lib/dovecot/imap";
/// Debian's interpreter, not whatever `python3` is first on `PATH` (pyenv and
/// virtualenvs do not see Debian's `python3-aiosmtpd`).
const PYTHON: &str = "/usr/bin/python3";
const STARTUP: Duration = Duration::from_secs(20);

/// A Dovecot IMAP server with one user whose mail lives in a Maildir under a
/// temporary directory. Plain IMAP (no TLS) on 127.0.0.1, password login allowed.
pub struct Dovecot {
    child: Child,
    dir: TempDir,
    port: u16,
    /// Implicit-TLS port and certificates, for [`Dovecot::start_tls`].
    tls: Option<(u16, TestCertificates)>,
    /// Who must own the mail files: Dovecot refuses to access mail as root.
    mail_owner: Option<(u32, u32)>,
    delivered: AtomicU64,
    /// The OAuth2 token-info endpoint, for [`Dovecot::start_with_xoauth2`].
    token_server: Option<Child>,
}

/// What a [`Dovecot`] offers beyond plain IMAP with a password.
#[derive(Default)]
struct Options<'a> {
    capabilities: Option<&'a str>,
    tls: bool,
    xoauth2: bool,
}

impl Dovecot {
    pub const USER: &str = "mesa";
    pub const PASSWORD: &str = "correct horse battery staple";
    /// The one access token [`Dovecot::start_with_xoauth2`] accepts for [`Dovecot::USER`].
    pub const XOAUTH2_TOKEN: &str = "ya29.mesa-test-access-token";

    /// Starts Dovecot with its full set of capabilities (IDLE, MOVE, UIDPLUS…).
    pub fn start() -> Dovecot {
        Dovecot::launch(Options::default())
    }

    /// Starts Dovecot with TLS: STARTTLS on [`Dovecot::imap_port`] and implicit
    /// TLS on [`Dovecot::imaps_port`], with a certificate for `localhost` and
    /// `127.0.0.1` signed by [`Dovecot::ca_pem`].
    pub fn start_tls() -> Dovecot {
        Dovecot::launch(Options { tls: true, ..Options::default() })
    }

    /// Starts Dovecot advertising only `capabilities` after login (for example
    /// `"IMAP4rev1 LITERAL+ UIDPLUS"`), to exercise a client's fallbacks for
    /// servers without IDLE or MOVE.
    pub fn start_with_capabilities(capabilities: &str) -> Dovecot {
        Dovecot::launch(Options { capabilities: Some(capabilities), ..Options::default() })
    }

    /// Starts Dovecot accepting SASL XOAUTH2 besides passwords: the token is
    /// checked against a token-info endpoint (Python's `http.server` serving a
    /// file per valid token), which knows only [`Dovecot::XOAUTH2_TOKEN`].
    pub fn start_with_xoauth2() -> Dovecot {
        Dovecot::launch(Options { xoauth2: true, ..Options::default() })
    }

    fn launch(options: Options) -> Dovecot {
        require_file(DOVECOT, "dovecot-core");
        require_file(DOVECOT_IMAP, "dovecot-imapd");
        // A short path: Dovecot's UNIX sockets live under it (108-byte limit).
        let dir = tempfile::Builder::new().prefix("mesa-dovecot-").tempdir_in("/tmp").expect("temporary directory");
        // Dovecot's unprivileged processes must reach the passwd file and the mail.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        let root = dir.path();

        // As root (CI), Dovecot runs its helpers as its own users and refuses to
        // touch mail as root, so the mail belongs to `dovecot`. As anyone else,
        // everything runs as that user.
        let accounts = if running_as_root() {
            let (uid, gid) =
                user_ids("dovecot").expect("user `dovecot` missing: install the Debian package dovecot-core");
            Accounts { internal: "dovecot".into(), login: "dovenull".into(), mail_uid: uid, mail_gid: gid }
        } else {
            let uid = current_uid();
            let me = user_name(uid).expect("the current user in /etc/passwd");
            let (_, gid) = user_ids(&me).expect("the current user in /etc/passwd");
            Accounts { internal: me.clone(), login: me, mail_uid: uid, mail_gid: gid }
        };
        let internal_group = group_name(user_ids(&accounts.internal).expect("Dovecot's user").1)
            .expect("the primary group of Dovecot's user in /etc/group");
        let mail_owner = running_as_root().then_some((accounts.mail_uid, accounts.mail_gid));

        for sub in ["run", "state"] {
            fs::create_dir_all(root.join(sub)).expect("creating Dovecot directories");
        }
        fs::write(root.join("passwd"), format!("{}:{{PLAIN}}{}::::::\n", Dovecot::USER, Dovecot::PASSWORD))
            .expect("writing the passwd file");
        let maildir = root.join("mail").join(Dovecot::USER);
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(maildir.join(sub)).expect("creating the Maildir");
        }
        for path in [root.join("mail"), maildir.clone(), maildir.join("cur"), maildir.join("new"), maildir.join("tmp")]
        {
            chown(&path, mail_owner);
        }

        let certificates = options.tls.then(|| TestCertificates::generate(&root.join("tls")));
        let mut token_server = options.xoauth2.then(|| start_token_server(root));

        let mut last_log = String::new();
        for _attempt in 0..5 {
            let port = free_port();
            let tls = certificates.as_ref().map(|c| (free_port(), c));
            let config_path = root.join("dovecot.conf");
            let settings = Settings {
                root,
                port,
                accounts: &accounts,
                internal_group: &internal_group,
                capabilities: options.capabilities,
                tls,
                xoauth2: token_server.is_some(),
            };
            fs::write(&config_path, dovecot_config(&settings)).expect("writing dovecot.conf");
            let output = fs::File::create(root.join("stderr.log")).expect("log file");
            let mut child = Command::new(DOVECOT)
                .arg("-F")
                .arg("-c")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(output.try_clone().expect("log file"))
                .stderr(output)
                .spawn()
                .expect("starting dovecot");
            if wait_for_greeting(&mut child, port, b"* OK") {
                let tls = tls.map(|(imaps_port, _)| imaps_port).zip(certificates);
                return Dovecot { child, dir, port, tls, mail_owner, delivered: AtomicU64::new(0), token_server };
            }
            stop(&mut child);
            last_log = read_logs(root);
            if !last_log.contains("Address already in use") {
                break;
            }
        }
        if let Some(child) = token_server.as_mut() {
            stop(child);
        }
        panic!("Dovecot did not start; its log:\n{last_log}");
    }

    pub fn imap_port(&self) -> u16 {
        self.port
    }

    /// The implicit-TLS port; only for [`Dovecot::start_tls`].
    pub fn imaps_port(&self) -> u16 {
        self.tls.as_ref().expect("Dovecot::start_tls() has an IMAPS port").0
    }

    /// The certificate authority to trust; only for [`Dovecot::start_tls`].
    pub fn ca_pem(&self) -> &[u8] {
        &self.tls.as_ref().expect("Dovecot::start_tls() has a CA").1.ca_pem
    }

    pub fn user(&self) -> &str {
        Dovecot::USER
    }

    pub fn password(&self) -> &str {
        Dovecot::PASSWORD
    }

    /// Puts a message into the user's INBOX the way an MTA does: written under
    /// `tmp/`, then renamed into `new/` with a unique name.
    pub fn deliver(&self, raw: &[u8]) {
        let n = self.delivered.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "{}.M{}P{}Q{n}.mesa-test",
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs(),
            std::process::id(),
            self.port
        );
        let tmp = self.maildir().join("tmp").join(&name);
        fs::write(&tmp, raw).expect("writing a message");
        self.chown(&tmp);
        fs::rename(&tmp, self.maildir().join("new").join(&name)).expect("delivering a message");
    }

    /// Messages in `folder` (`"INBOX"` or a folder name such as `"Processed"`),
    /// read from the Maildir.
    pub fn message_count(&self, folder: &str) -> usize {
        self.message_files(folder).len()
    }

    /// Messages in `folder` whose Maildir flags include `S` (`\Seen`).
    pub fn seen_count(&self, folder: &str) -> usize {
        self.message_files(folder).iter().filter(|name| maildir_flags(name).contains('S')).count()
    }

    /// Everything Dovecot logged so far, for assertion messages.
    pub fn log(&self) -> String {
        read_logs(self.dir.path())
    }

    fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail").join(Dovecot::USER)
    }

    fn folder_dir(&self, folder: &str) -> PathBuf {
        if folder.eq_ignore_ascii_case("INBOX") { self.maildir() } else { self.maildir().join(format!(".{folder}")) }
    }

    fn message_files(&self, folder: &str) -> Vec<String> {
        let dir = self.folder_dir(folder);
        ["new", "cur"]
            .iter()
            .flat_map(|sub| fs::read_dir(dir.join(sub)).into_iter().flatten())
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect()
    }

    fn chown(&self, path: &Path) {
        chown(path, self.mail_owner);
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        stop(&mut self.child);
        if let Some(child) = self.token_server.as_mut() {
            stop(child);
        }
    }
}

/// Serves `ROOT/www/tokeninfo/<token>` (`{"email": USER}`) for Dovecot's oauth2
/// passdb and writes the passdb's settings; an unknown token is a 404, which
/// Dovecot turns into a failed login.
fn start_token_server(root: &Path) -> Child {
    let www = root.join("www");
    fs::create_dir_all(www.join("tokeninfo")).expect("creating the token-info directory");
    fs::write(www.join("tokeninfo").join(Dovecot::XOAUTH2_TOKEN), format!(r#"{{"email":"{}"}}"#, Dovecot::USER))
        .expect("writing the token info");
    for _attempt in 0..5 {
        let port = free_port();
        let log = fs::File::create(root.join("tokeninfo.log")).expect("log file");
        let mut child = Command::new(PYTHON)
            .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
            .arg(&www)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("starting python3 -m http.server");
        if wait_for_port(&mut child, port) {
            let ext = format!(
                "tokeninfo_url = http://127.0.0.1:{port}/tokeninfo/\nusername_attribute = email\nusername_format = %u\n"
            );
            fs::write(root.join("oauth2.conf.ext"), ext).expect("writing oauth2.conf.ext");
            return child;
        }
        stop(&mut child);
    }
    let log = fs::read_to_string(root.join("tokeninfo.log")).unwrap_or_default();
    panic!("the token-info server (python3 -m http.server) did not start:\n{log}");
}

/// The system users Dovecot runs as.
struct Accounts {
    internal: String,
    login: String,
    mail_uid: u32,
    mail_gid: u32,
}

fn read_logs(root: &Path) -> String {
    let mut log = fs::read_to_string(root.join("stderr.log")).unwrap_or_default();
    log.push_str(&fs::read_to_string(root.join("dovecot.log")).unwrap_or_default());
    log
}

fn chown(path: &Path, owner: Option<(u32, u32)>) {
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).expect("chown for Dovecot's mail user");
    }
}

/// Everything that varies between generated Dovecot configurations.
struct Settings<'a> {
    root: &'a Path,
    port: u16,
    accounts: &'a Accounts,
    internal_group: &'a str,
    capabilities: Option<&'a str>,
    tls: Option<(u16, &'a TestCertificates)>,
    /// Adds the oauth2 passdb whose settings [`start_token_server`] wrote.
    xoauth2: bool,
}

fn dovecot_config(settings: &Settings) -> String {
    let Settings { root, port, accounts, internal_group, capabilities, tls, xoauth2 } = *settings;
    let root = root.display();
    let (mechanisms, oauth2_passdb) = match xoauth2 {
        false => ("plain login", String::new()),
        true => (
            "plain login xoauth2",
            format!("passdb {{\n  driver = oauth2\n  mechanisms = xoauth2\n  args = {root}/oauth2.conf.ext\n}}\n"),
        ),
    };
    let (ssl, imaps_port) = match tls {
        None => ("ssl = no".to_owned(), 0),
        Some((imaps_port, certificates)) => (
            format!(
                "ssl = yes\nssl_cert = <{}\nssl_key = <{}\nssl_dh = </usr/share/dovecot/dh.pem",
                certificates.cert_path.display(),
                certificates.key_path.display()
            ),
            imaps_port,
        ),
    };
    let Accounts { internal: internal_user, login: login_user, mail_uid, mail_gid } = accounts;
    let capability_line = capabilities.map(|c| format!("imap_capability = {c}\n")).unwrap_or_default();
    format!(
        r#"# Generated by mesa-testkit: a throw-away Dovecot for one test.
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
# Dovecot refuses mail access as root; mail belongs to an unprivileged user.
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
mailbox_list_index = no
{capability_line}
# chroot needs root; a test server gains nothing from it.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
{oauth2_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
"#
    )
}

/// A real SMTP server that accepts everything and keeps each message exactly as
/// received, plus its envelope. Recipients whose local part starts with
/// `reject` get `550 5.1.1`, and with `defer` get `451 4.3.0`, so tests can
/// provoke permanent and temporary refusals.
pub struct SmtpSink {
    child: Child,
    dir: TempDir,
    port: u16,
    security: SinkSecurity,
    certificates: Option<TestCertificates>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SinkSecurity {
    Plain,
    StartTls,
    ImplicitTls,
}

/// One message as the sink received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`); empty for the null sender `<>`.
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The DATA bytes, dot-unstuffed, as the client sent them.
    pub raw: Vec<u8>,
}

/// The aiosmtpd handler: aiosmtpd's own `Mailbox` handler re-serialises messages
/// through Python's `email` package (changing line ends and headers), which
/// would hide exactly the bugs a byte-for-byte test is there to catch.
const SINK_HANDLER: &str = r#"
import os

class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("defer"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%06d" % self.count)
        with open(base + ".envelope", "w") as f:
            f.write("\n".join([envelope.mail_from or ""] + list(envelope.rcpt_tos)) + "\n")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"
"#;

impl SmtpSink {
    /// Plain SMTP, no TLS.
    pub fn start() -> SmtpSink {
        SmtpSink::launch(SinkSecurity::Plain)
    }

    /// SMTP that offers STARTTLS and refuses mail before it (aiosmtpd's default
    /// once a certificate is given), with a certificate signed by
    /// [`SmtpSink::ca_pem`].
    pub fn start_starttls() -> SmtpSink {
        SmtpSink::launch(SinkSecurity::StartTls)
    }

    /// SMTP over TLS from the first byte (like port 465).
    pub fn start_implicit_tls() -> SmtpSink {
        SmtpSink::launch(SinkSecurity::ImplicitTls)
    }

    fn launch(security: SinkSecurity) -> SmtpSink {
        require_file(PYTHON, "python3");
        require_file("/usr/lib/python3/dist-packages/aiosmtpd/__init__.py", "python3-aiosmtpd");
        let dir = tempfile::Builder::new().prefix("mesa-smtp-sink-").tempdir().expect("temporary directory");
        fs::write(dir.path().join("mesa_sink.py"), SINK_HANDLER).expect("writing the sink handler");
        let mail = dir.path().join("mail");
        fs::create_dir(&mail).expect("creating the mail directory");
        let certificates =
            (security != SinkSecurity::Plain).then(|| TestCertificates::generate(&dir.path().join("tls")));
        let tls_args: Vec<String> = match (&certificates, security) {
            (Some(c), SinkSecurity::StartTls) => {
                vec![
                    "--tlscert".into(),
                    c.cert_path.display().to_string(),
                    "--tlskey".into(),
                    c.key_path.display().to_string(),
                ]
            }
            (Some(c), SinkSecurity::ImplicitTls) => vec![
                "--smtpscert".into(),
                c.cert_path.display().to_string(),
                "--smtpskey".into(),
                c.key_path.display().to_string(),
            ],
            _ => vec![],
        };

        let mut last_log = String::new();
        for _attempt in 0..5 {
            let port = free_port();
            let log = fs::File::create(dir.path().join("sink.log")).expect("log file");
            let mut child = Command::new(PYTHON)
                .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
                .args(&tls_args)
                .args(["-c", "mesa_sink.Sink"])
                .arg(&mail)
                .env("PYTHONPATH", dir.path())
                .env("PYTHONDONTWRITEBYTECODE", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log file"))
                .stderr(log)
                .spawn()
                .expect("starting python3 -m aiosmtpd");
            let ready = match security {
                SinkSecurity::ImplicitTls => wait_for_port(&mut child, port),
                _ => wait_for_greeting(&mut child, port, b"220"),
            };
            if ready {
                return SmtpSink { child, dir, port, security, certificates };
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log = fs::read_to_string(dir.path().join("sink.log")).unwrap_or_default();
            if !last_log.contains("Address already in use") {
                break;
            }
        }
        panic!("the aiosmtpd SMTP sink did not start; its output:\n{last_log}");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The relay URL for `SmtpConfig::from_url`: `smtp://127.0.0.1:PORT`, with
    /// `?tls=starttls` or as `smtps://` for the TLS variants.
    pub fn url(&self) -> String {
        match self.security {
            SinkSecurity::Plain => format!("smtp://127.0.0.1:{}", self.port),
            SinkSecurity::StartTls => format!("smtp://127.0.0.1:{}?tls=starttls", self.port),
            SinkSecurity::ImplicitTls => format!("smtps://127.0.0.1:{}", self.port),
        }
    }

    /// The certificate authority to trust; only for the TLS variants.
    pub fn ca_pem(&self) -> &[u8] {
        &self.certificates.as_ref().expect("a TLS sink has a CA").ca_pem
    }

    /// The raw messages received so far, in arrival order.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.received().into_iter().map(|m| m.raw).collect()
    }

    /// The messages received so far with their envelopes, in arrival order.
    pub fn received(&self) -> Vec<ReceivedMail> {
        let mail = self.dir.path().join("mail");
        let mut names: Vec<PathBuf> = fs::read_dir(&mail)
            .expect("the sink's mail directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let envelope = fs::read_to_string(path.with_extension("envelope")).expect("the envelope file");
                let mut lines = envelope.lines().map(str::to_owned);
                let mail_from = lines.next().unwrap_or_default();
                ReceivedMail { mail_from, rcpt_to: lines.collect(), raw: fs::read(&path).expect("a received message") }
            })
            .collect()
    }

    /// Waits until at least `count` messages arrived and returns them; panics
    /// after `timeout` with what did arrive.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            if Instant::now() > deadline {
                panic!("expected {count} messages at the SMTP sink within {timeout:?}, got {}", messages.len());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

fn require_file(path: &str, package: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: install the Debian package `{package}` (apt-get install -y dovecot-imapd python3-aiosmtpd)"
    );
}

/// A port nobody listened on a moment ago. Another process may grab it before
/// the server binds it; callers retry on "Address already in use".
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("binding a free port").port()
}

/// Waits until `port` accepts a connection and greets with `prefix`; false if
/// the process exited or the deadline passed.
fn wait_for_greeting(child: &mut Child, port: u16, prefix: &[u8]) -> bool {
    let deadline = Instant::now() + STARTUP;
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut line = Vec::new();
            if BufReader::new(stream).read_until(b'\n', &mut line).is_ok() && line.starts_with(prefix) {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Waits until `port` accepts a connection (for servers that speak TLS first).
fn wait_for_port(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + STARTUP;
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A throw-away certificate authority and a server certificate it signed for
/// `localhost` and `127.0.0.1`, made with the `openssl` command (P-256 keys).
pub struct TestCertificates {
    pub ca_pem: Vec<u8>,
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
}

impl TestCertificates {
    pub fn generate(dir: &Path) -> TestCertificates {
        require_file("/usr/bin/openssl", "openssl");
        fs::create_dir_all(dir).expect("creating the certificate directory");
        fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .expect("writing the extension file");
        let ec_key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
        openssl(
            dir,
            &format!("req -x509 {ec_key} -keyout ca.key -out ca.pem -days 2"),
            &[
                "-subj",
                "/CN=Mesa test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign",
            ],
        );
        openssl(dir, &format!("req {ec_key} -keyout server.key -out server.csr"), &["-subj", "/CN=localhost"]);
        openssl(
            dir,
            "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext",
            &[],
        );
        // Dovecot's and aiosmtpd's unprivileged processes read these.
        for file in ["server.pem", "server.key"] {
            fs::set_permissions(dir.join(file), fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        TestCertificates {
            ca_pem: fs::read(dir.join("ca.pem")).expect("the CA certificate"),
            cert_path: dir.join("server.pem"),
            key_path: dir.join("server.key"),
        }
    }
}

/// `openssl ARGS… QUOTED…`: `args` split on spaces, `quoted` passed as they are.
fn openssl(dir: &Path, args: &str, quoted: &[&str]) {
    let output = Command::new("/usr/bin/openssl")
        .args(args.split(' '))
        .args(quoted)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("running openssl");
    assert!(output.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// SIGTERM (Dovecot then stops its own children), SIGKILL if it lingers.
fn stop(child: &mut Child) {
    if child.try_wait().ok().flatten().is_some() {
        return;
    }
    let terminated = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if terminated {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The flags of a Maildir file name (`…:2,FS` → `FS`).
fn maildir_flags(name: &str) -> &str {
    name.rsplit_once(":2,").map(|(_, flags)| flags).unwrap_or("")
}

fn running_as_root() -> bool {
    current_uid() == 0
}

fn current_uid() -> u32 {
    let mut status = String::new();
    fs::File::open("/proc/self/status").and_then(|mut f| f.read_to_string(&mut status)).expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .and_then(|euid| euid.parse().ok())
        .expect("an effective uid in /proc/self/status")
}

/// `(uid, gid)` of `user` from /etc/passwd.
fn user_ids(user: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 3 && f[0] == user)
        .and_then(|f| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
}

fn group_name(gid: u32) -> Option<String> {
    let groups = fs::read_to_string("/etc/group").ok()?;
    groups
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2].parse() == Ok(gid))
        .map(|f| f[0].to_owned())
}

fn user_name(uid: u32) -> Option<String> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 3 && f[2].parse() == Ok(uid))
        .map(|f| f[0].to_owned())
}
