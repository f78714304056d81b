//! Loop protection: which messages must never get an automatic answer, and which
//! must not become tickets at all.
//!
//! A help desk that acknowledges every message will, sooner or later, acknowledge
//! an out-of-office reply, which acknowledges back, forever; or open a ticket for
//! every bounce of its own notifications. The rules come from RFC 3834
//! (automatic responses), RFC 3464/6522 (delivery reports), RFC 2369/2919 (list
//! headers) and the de-facto headers Exchange and older autoresponders write.

use std::fmt;

use crate::mail::{ParsedMail, is_own_address};

/// Why a message is machine-made. The name ([`LoopReason::as_str`]) is stable:
/// the CLI prints it (`rejected bounce_report`) and storage may keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoopReason {
    /// `From`, `Sender` or `X-Loop` is one of the help desk's own addresses: our
    /// own mail came back. Rejected.
    OwnAddress,
    /// `multipart/report` (RFC 6522): a delivery status notification (bounce,
    /// RFC 3464) or a read receipt (RFC 8098). Rejected.
    DeliveryReport,
    /// From `MAILER-DAEMON` or `postmaster`: a bounce not written as a report.
    /// Rejected.
    MailerDaemon,
    /// Empty return path `<>` (RFC 5321 §4.5.5) with no other sign: how bounces
    /// are sent. Rejected. (Auto-replies also use `<>` but are caught first by
    /// their own headers, so they are kept.)
    NullReturnPath,
    /// `Auto-Submitted` other than `no` (RFC 3834 §5): out-of-office and other
    /// automatic mail. Kept, not answered.
    AutoSubmitted,
    /// `X-Autoreply` / `X-Autorespond` / `X-Autoresponder`, written by
    /// autoresponders older than RFC 3834. Kept, not answered.
    AutoReplyHeader,
    /// `X-Auto-Response-Suppress: All` (or `AutoReply`/`OOF`): Exchange asking
    /// recipients not to answer automatically. Kept, not answered.
    AutoResponseSuppressed,
    /// `Precedence: bulk`, `list`, `junk` or `auto_reply` (RFC 3834 §3.1.8 notes
    /// the convention). Kept, not answered.
    BulkPrecedence,
    /// `List-Id`, `List-Post` or `List-Unsubscribe` (RFC 2919, RFC 2369): mailing
    /// lists and newsletters. Kept, not answered.
    MailingList,
}

impl LoopReason {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OwnAddress => "own_address",
            Self::DeliveryReport => "delivery_report",
            Self::MailerDaemon => "mailer_daemon",
            Self::NullReturnPath => "null_return_path",
            Self::AutoSubmitted => "auto_submitted",
            Self::AutoReplyHeader => "auto_reply_header",
            Self::AutoResponseSuppressed => "auto_response_suppressed",
            Self::BulkPrecedence => "bulk_precedence",
            Self::MailingList => "mailing_list",
        }
    }

    /// Whether the message must not become a ticket at all (bounces, our own
    /// mail) rather than only go unanswered.
    pub fn rejects(self) -> bool {
        matches!(self, Self::OwnAddress | Self::DeliveryReport | Self::MailerDaemon | Self::NullReturnPath)
    }
}

impl fmt::Display for LoopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do with an incoming message, before threading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// A person wrote it: thread it and acknowledge it.
    Process,
    /// Machine-made but possibly useful (an out-of-office on a ticket, a list
    /// post): thread it, but send no automatic answer.
    ProcessWithoutAutoReply(LoopReason),
    /// A bounce or our own mail: do not thread it; store it raw and flag it.
    Reject(LoopReason),
}

impl Disposition {
    /// `process`, `no_auto_reply` or `reject`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::ProcessWithoutAutoReply(_) => "no_auto_reply",
            Self::Reject(_) => "reject",
        }
    }

    /// The loop reason, if any.
    pub fn reason(self) -> Option<LoopReason> {
        match self {
            Self::Process => None,
            Self::ProcessWithoutAutoReply(r) | Self::Reject(r) => Some(r),
        }
    }

    /// Whether Mesa may send an automatic answer (the acknowledgement with the
    /// ticket number, seed 000 step 3).
    pub fn allows_auto_reply(self) -> bool {
        matches!(self, Self::Process)
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason() {
            Some(reason) => write!(f, "{} {reason}", self.as_str()),
            None => f.write_str(self.as_str()),
        }
    }
}

/// The first loop reason that applies to `mail`, or `None` for mail a person
/// wrote. `own_addresses` are the help desk's mailboxes (case-insensitive).
///
/// Checked in this order, so that the stronger verdict wins: own address,
/// delivery report, mailer-daemon sender, `Auto-Submitted`, autoresponder
/// headers, `X-Auto-Response-Suppress`, `Precedence`, list headers, and last the
/// null return path (RFC 3834 §3.3 has auto-replies sent with `<>` too, and those
/// are kept).
///
/// The return path is read from the `Return-Path` header the delivering server
/// adds; a caller that has the SMTP envelope sender instead should add it as that
/// header before parsing.
pub fn classify<S: AsRef<str>>(mail: &ParsedMail, own_addresses: &[S]) -> Option<LoopReason> {
    if is_from_own_address(mail, own_addresses) {
        return Some(LoopReason::OwnAddress);
    }
    if mail.content_type == "multipart/report" {
        return Some(LoopReason::DeliveryReport);
    }
    if is_from_mailer_daemon(mail) {
        return Some(LoopReason::MailerDaemon);
    }
    if mail.header_all("Auto-Submitted").any(|v| !first_token(v).eq_ignore_ascii_case("no")) {
        return Some(LoopReason::AutoSubmitted);
    }
    let autoresponder = ["X-Autoreply", "X-Autorespond", "X-Autoresponder"]
        .iter()
        .flat_map(|name| mail.header_all(name))
        .any(|v| !matches!(first_token(v).to_ascii_lowercase().as_str(), "no" | "false" | "0"));
    if autoresponder {
        return Some(LoopReason::AutoReplyHeader);
    }
    let suppressed = mail
        .header_all("X-Auto-Response-Suppress")
        .any(|v| v.split(',').any(|t| matches!(t.trim().to_ascii_lowercase().as_str(), "all" | "autoreply" | "oof")));
    if suppressed {
        return Some(LoopReason::AutoResponseSuppressed);
    }
    if mail
        .header_all("Precedence")
        .any(|v| matches!(first_token(v).to_ascii_lowercase().as_str(), "bulk" | "list" | "junk" | "auto_reply"))
    {
        return Some(LoopReason::BulkPrecedence);
    }
    if ["List-Id", "List-Post", "List-Unsubscribe"].iter().any(|name| mail.header(name).is_some()) {
        return Some(LoopReason::MailingList);
    }
    if mail.header("Return-Path").is_some_and(|v| v.trim().trim_matches(['<', '>']).trim().is_empty()) {
        return Some(LoopReason::NullReturnPath);
    }
    None
}

/// [`classify`] turned into what the caller does: process, process without
/// answering, or reject.
pub fn disposition<S: AsRef<str>>(mail: &ParsedMail, own_addresses: &[S]) -> Disposition {
    match classify(mail, own_addresses) {
        None => Disposition::Process,
        Some(reason) if reason.rejects() => Disposition::Reject(reason),
        Some(reason) => Disposition::ProcessWithoutAutoReply(reason),
    }
}

/// The value up to its first `;` (parameters) or white space, trimmed.
fn first_token(value: &str) -> &str {
    value.split([';', ' ', '\t', '(']).find(|t| !t.is_empty()).unwrap_or_default()
}

fn is_from_own_address<S: AsRef<str>>(mail: &ParsedMail, own: &[S]) -> bool {
    let author_is_own = mail.from.iter().chain(&mail.sender).any(|m| is_own_address(&m.address, own));
    // X-Loop: Mesa (like procmail and RT) stamps its outgoing mail with it; a copy
    // that comes back through a forwarding rule still carries the stamp.
    let stamped = mail.header_all("X-Loop").any(|v| {
        own.iter().any(|o| {
            let o = o.as_ref().trim();
            !o.is_empty() && v.to_ascii_lowercase().contains(&o.to_ascii_lowercase())
        })
    });
    author_is_own || stamped
}

fn is_from_mailer_daemon(mail: &ParsedMail) -> bool {
    let is_daemon = |address: &str| {
        let local = address.rsplit_once('@').map_or(address, |(l, _)| l);
        let local = local.trim().trim_matches(['<', '>', '"']).to_ascii_lowercase();
        matches!(local.as_str(), "mailer-daemon" | "postmaster" | "mail-daemon")
    };
    mail.from.as_ref().is_some_and(|m| is_daemon(&m.address)) || mail.header("Return-Path").is_some_and(is_daemon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{HeaderField, Mailbox};

    const OWN: &[&str] = &["soporte@villaesperanza.gov.co"];

    fn mail(from: &str, headers: &[(&str, &str)]) -> ParsedMail {
        ParsedMail {
            from: Mailbox::new(None, from),
            content_type: "text/plain".into(),
            headers: headers.iter().map(|(n, v)| HeaderField { name: n.to_string(), value: v.to_string() }).collect(),
            ..Default::default()
        }
    }

    fn reason(from: &str, headers: &[(&str, &str)]) -> Option<&'static str> {
        classify(&mail(from, headers), OWN).map(LoopReason::as_str)
    }

    #[test]
    fn a_person_is_processed() {
        let m = mail("ana@villaesperanza.gov.co", &[("Return-Path", "<ana@villaesperanza.gov.co>")]);
        assert_eq!(disposition(&m, OWN), Disposition::Process);
        assert!(disposition(&m, OWN).allows_auto_reply());
    }

    #[test]
    fn auto_submitted_no_is_a_person() {
        assert_eq!(reason("ana@x.org", &[("Auto-Submitted", "no")]), None);
        assert_eq!(reason("ana@x.org", &[("Auto-Submitted", "No (manual)")]), None);
    }

    #[test]
    fn each_header_maps_to_its_reason() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("Auto-Submitted", "auto-replied; owner-email=\"a@x.org\"")], "auto_submitted"),
            (&[("Auto-Submitted", "auto-generated")], "auto_submitted"),
            (&[("X-Autoreply", "yes")], "auto_reply_header"),
            (&[("X-Autorespond", "Vacaciones")], "auto_reply_header"),
            (&[("X-Auto-Response-Suppress", "DR, RN, NRN, OOF, AutoReply")], "auto_response_suppressed"),
            (&[("Precedence", "bulk")], "bulk_precedence"),
            (&[("Precedence", "List")], "bulk_precedence"),
            (&[("Precedence", "junk")], "bulk_precedence"),
            (&[("List-Id", "<funcionarios.villaesperanza.gov.co>")], "mailing_list"),
            (&[("Return-Path", "<>")], "null_return_path"),
            (&[("Return-Path", "<MAILER-DAEMON@mx.x.org>")], "mailer_daemon"),
            (&[("X-Loop", "soporte@villaesperanza.gov.co")], "own_address"),
        ];
        for (headers, expected) in cases {
            assert_eq!(reason("ana@x.org", headers), Some(*expected), "{headers:?}");
        }
        assert_eq!(reason("X-Autoreply-Not@x.org", &[("X-Autoreply", "no")]), None);
        assert_eq!(reason("ana@x.org", &[("Precedence", "first-class")]), None);
        assert_eq!(reason("ana@x.org", &[("X-Auto-Response-Suppress", "DR, RN")]), None);
    }

    #[test]
    fn senders_that_are_machines_or_ourselves() {
        assert_eq!(reason("MAILER-DAEMON@mx.gmail.com", &[]), Some("mailer_daemon"));
        assert_eq!(reason("postmaster@outlook.com", &[]), Some("mailer_daemon"));
        assert_eq!(reason("Soporte@VillaEsperanza.gov.co", &[]), Some("own_address"));
    }

    #[test]
    fn an_out_of_office_with_a_null_return_path_is_kept_not_rejected() {
        let m = mail("ana@x.org", &[("Return-Path", "<>"), ("Auto-Submitted", "auto-replied")]);
        assert_eq!(disposition(&m, OWN), Disposition::ProcessWithoutAutoReply(LoopReason::AutoSubmitted));
    }

    #[test]
    fn a_report_is_rejected_whatever_else_it_says() {
        let mut m = mail("ana@x.org", &[("Auto-Submitted", "auto-replied")]);
        m.content_type = "multipart/report".into();
        assert_eq!(disposition(&m, OWN), Disposition::Reject(LoopReason::DeliveryReport));
        assert_eq!(disposition(&m, OWN).to_string(), "reject delivery_report");
    }

    #[test]
    fn only_bounces_and_own_mail_reject() {
        use LoopReason::*;
        let all = [
            OwnAddress,
            DeliveryReport,
            MailerDaemon,
            NullReturnPath,
            AutoSubmitted,
            AutoReplyHeader,
            AutoResponseSuppressed,
            BulkPrecedence,
            MailingList,
        ];
        let rejecting: Vec<_> = all.iter().filter(|r| r.rejects()).map(|r| r.as_str()).collect();
        assert_eq!(rejecting, ["own_address", "delivery_report", "mailer_daemon", "null_return_path"]);
        let mut names: Vec<_> = all.iter().map(|r| r.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), all.len(), "names are unique");
    }
}
