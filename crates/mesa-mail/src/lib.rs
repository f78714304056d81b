//! Mesa's e-mail channel, the pure part: turning raw messages into facts and
//! deciding what to do with them. No network, no storage, no clock: the IMAP/SMTP
//! adapters and the store call in with bytes and look-up results, and get back
//! values.
//!
//! The flow for one incoming message (PRODUCT.md §4, seed 000 steps 2–3):
//!
//! 1. [`parse`] the raw bytes into a [`ParsedMail`] (or [`Unparseable`]: store the
//!    raw bytes and flag them; nothing is dropped).
//! 2. [`disposition`]: a bounce or our own mail is rejected; an auto-reply or list
//!    mail is processed but never answered automatically.
//! 3. Look up [`references_to_check`] (signed Mesa IDs verify on their own,
//!    forged ones are dropped) and the [`subject_tag`]; pass what was found to
//!    [`decide`], which says append, reopen, new ticket or quarantine.
//! 4. Show [`ParsedMail::quote_split`] with the history folded; reply to
//!    [`ParsedMail::reply_recipients`]; add [`ParsedMail::participants`] to the
//!    ticket; sign outgoing Message-IDs with [`MessageIdSigner`].
//!
//! ```
//! use chrono::Utc;
//! use mesa_mail::*;
//!
//! let signer = MessageIdSigner::new(b"32 random bytes from the config!", "mesa.villaesperanza.gov.co")?;
//! // Mesa acknowledged ticket 123 with a signed Message-ID; the requester answers it.
//! let ours = signer.new_id(123, 1);
//! let raw = format!(
//!     "From: Ana <ana.gomez@villaesperanza.gov.co>\r\n\
//!      To: soporte@villaesperanza.gov.co\r\n\
//!      Subject: =?UTF-8?Q?RE:_[#123]_Impresora_sin_t=C3=B3ner?=\r\n\
//!      In-Reply-To: {ours}\r\n\r\n\
//!      Ya funciona.\r\n\r\nEl lun, 3 jun 2024, Mesa <soporte@villaesperanza.gov.co> escribió:\r\n> Cambiamos el tóner.\r\n"
//! );
//! let mail = parse(raw.as_bytes())?;
//! assert_eq!(mail.subject, "RE: [#123] Impresora sin tóner");
//! assert_eq!(disposition(&mail, &["soporte@villaesperanza.gov.co"]), Disposition::Process);
//! assert_eq!(mail.quote_split().new_text, "Ya funciona.");
//!
//! // The signed reference names the ticket without a database look-up.
//! let refs = references_to_check(&mail, &signer);
//! assert!(matches!(refs[0], Reference::Signed { ticket: 123, .. }));
//! // The caller loads ticket 123 and passes what it found.
//! let facts = ThreadFacts {
//!     by_reference: Some(TicketFacts {
//!         number: 123,
//!         requester: "ana.gomez@villaesperanza.gov.co".into(),
//!         participants: vec![],
//!         state: TicketState::Open,
//!     }),
//!     ..Default::default()
//! };
//! let decision = decide(&mail, &facts, &ThreadPolicy::default(), Utc::now());
//! assert_eq!(decision, ThreadDecision::Append { number: 123 });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

pub mod auth;
mod compose;
mod display;
mod html;
mod loops;
mod mail;
mod message_id;
pub mod oauth;
mod params;
mod parse;
mod quote;
mod repair;
mod subject;
mod thread;
pub mod transport;

pub use auth::{Envelope, SenderAuth, SenderVerifier, Verdict, from_authentication_results};
pub use compose::{AutoSubmitted, Outgoing, escape_html, render};
pub use display::{is_invisible_format, neutralise_invisible};
pub use html::{MAX_HTML_NESTING, html_to_text, repoint_sources, sanitize as sanitize_html};
pub use loops::{Disposition, LoopReason, classify, disposition};
pub use mail::{Attachment, Defect, HeaderField, Mailbox, ParsedMail};
pub use message_id::{MessageId, MessageIdSigner, SignerError, content_hash, storage_key};
pub use parse::{Unparseable, UnparseableReason, parse};
pub use quote::{QuoteSplit, split_quoted};
pub use subject::{is_forward, strip_reply_prefixes, subject_tag};
pub use thread::{
    QuarantineReason, Reference, StrangerTagAction, ThreadDecision, ThreadFacts, ThreadPolicy, TicketFacts,
    TicketState, decide, references_to_check,
};
