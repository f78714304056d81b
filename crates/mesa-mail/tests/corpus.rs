//! The e-mail corpus: every message in `tests/corpus/` is parsed and checked
//! against what a person reading it would expect. Each file's expectations sit in
//! one row of `CASES`; a file without a row (or a row without a file) fails the
//! suite, so the corpus and its expectations cannot drift apart.
//!
//! Messages too big or too pathological to commit (10 MB attachments, deep
//! nesting, endless headers, random bytes) are generated in `generated_*` tests.

#![forbid(unsafe_code)]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use chrono::{TimeZone, Utc};
use mesa_mail::{
    Disposition, MessageIdSigner, ParsedMail, QuarantineReason, Reference, ThreadDecision, ThreadFacts, ThreadPolicy,
    TicketFacts, TicketState, UnparseableReason, decide, disposition, parse, references_to_check, strip_reply_prefixes,
    subject_tag,
};

const OWN: &[&str] = &["soporte@villaesperanza.gov.co"];
const KEY: &[u8] = b"clave-de-pruebas-mesa-villaesperanza";
const ID_DOMAIN: &str = "mesa.villaesperanza.gov.co";

fn signer() -> MessageIdSigner {
    MessageIdSigner::new(KEY, ID_DOMAIN).unwrap()
}

/// One expectation about one message.
#[derive(Debug)]
enum Check {
    /// `parse` must refuse the message, with this reason.
    Unparseable(&'static str),
    /// `disposition` as printed: `process`, `no_auto_reply REASON`, `reject REASON`.
    Disposition(&'static str),
    Subject(&'static str),
    /// Subject without reply/forward prefixes.
    BaseSubject(&'static str),
    /// Subject tag with this configured prefix.
    Tag(&'static str, Option<i64>),
    From(&'static str),
    FromName(&'static str),
    NoFrom,
    /// Where an answer goes (Reply-To, else From).
    ReplyTo(&'static str),
    /// To/Cc participants, without our own address and the author.
    Participants(&'static [&'static str]),
    CcNames(&'static [&'static str]),
    Date(&'static str),
    NoDate,
    MessageId(Option<&'static str>),
    /// `thread_references()` in look-up order.
    ThreadRefs(&'static [&'static str]),
    /// `references_to_check` summarised: `signed:N` or `stored:ID`.
    LookUps(&'static [&'static str]),
    ContentType(&'static str),
    Text(&'static str),
    NotText(&'static str),
    TextIsEmpty,
    Html(&'static str),
    NotHtml(&'static str),
    NoHtml,
    /// `(file name, media type, inline)` of every attachment, in order.
    Attachments(&'static [(Option<&'static str>, &'static str, bool)]),
    /// The attachment at this index starts with these bytes.
    AttachmentStarts(usize, &'static [u8]),
    ContentId(usize, &'static str),
    /// Exact defect list, by name.
    Defects(&'static [&'static str]),
    /// `quote_split().new_text`, exactly.
    NewText(&'static str),
    /// `quote_split().quoted` starts with this.
    QuotedStarts(&'static str),
    NoQuote,
    /// The first forwarded message: subject, author, a phrase of its text.
    Forwarded(&'static str, &'static str, &'static str),
    ForwardedAttachment(&'static str),
}

use Check::*;

const CASES: &[(&str, &[Check])] = &[
    (
        "01-utf8-plain-8bit.eml",
        &[
            Disposition("process"),
            Subject("Impresora del tercer piso no imprime"),
            From("ana.gomez@villaesperanza.gov.co"),
            FromName("Ana María Gómez"),
            Date("2024-06-03T08:14:03-05:00"),
            MessageId(Some("CAH7q2pN4xk0Vt8Zr=ugL5gS1q@mail.gmail.com")),
            Text("La impresora de la Secretaría de Hacienda (tercer piso) muestra \"atasco de papel\""),
            Text("Secretaría de Hacienda – Ext. 214"),
            NoHtml,
            Attachments(&[]),
            Defects(&[]),
            NoQuote,
            Tag("", None),
        ],
    ),
    (
        "02-iso-8859-1-quoted-printable.eml",
        &[
            Disposition("process"),
            Subject("Instalación programa de nómina"),
            FromName("Jorge Eliécer Peña"),
            Text(
                "Solicito la instalación del programa de nómina en el equipo de la oficina de Tesorería.\nEl técnico debe comunicarse con el señor Peña.",
            ),
            NotText("\r"),
            Defects(&[]),
        ],
    ),
    (
        "03-windows-1252-curly-quotes-euro.eml",
        &[
            Disposition("process"),
            Subject("Cotización “módulo de predial”"),
            FromName("Edna Rocío Suárez"),
            Text("el “módulo de predial” cuesta 1.500 € adicionales – ¿eso está dentro del contrato?"),
            NotText("\u{FFFD}"),
            Defects(&[]),
        ],
    ),
    (
        "04-iso-8859-15-euro.eml",
        &[
            Disposition("process"),
            Subject("Renovación antivirus €"),
            Text("el valor de renovación es 320 € por equipo."),
            Text("Almacén municipal"),
        ],
    ),
    (
        "05-subject-b-encoded-utf8.eml",
        &[
            Disposition("process"),
            Subject("No puedo ingresar al correo institucional desde el celular 📱"),
            FromName("Cristian Camilo Beltrán"),
            From("ccbeltran@gmail.com"),
            Text("dice \"contraseña incorrecta\", pero en el computador sí entra."),
        ],
    ),
    (
        "06-subject-q-encoded-latin1.eml",
        &[
            Disposition("process"),
            Subject("Solicitud de cámara para audiencias virtuales"),
            FromName("Inspección de Policía"),
            Text("Requerimos una camara web"),
        ],
    ),
    (
        "07-subject-encoded-words-split-across-lines.eml",
        &[
            Disposition("process"),
            Subject(
                "Actualización del sistema de gestión documental y migración de expedientes de la Comisaría de Familia",
            ),
            FromName("María José Quintero Ávila"),
            From("mariajose.quintero@villaesperanza.gov.co"),
            Text("Necesitamos apoyo con la migración de expedientes."),
        ],
    ),
    (
        "08-subject-mixed-charsets.eml",
        &[
            Disposition("process"),
            Subject("Urgente: Secretaría de Gobierno – sin internet “desde ayer”"),
            Text("Toda la secretaría está sin internet."),
        ],
    ),
    (
        "09-display-names-encoded.eml",
        &[
            Disposition("process"),
            FromName("Luis Ángel Muñoz"),
            From("luis.munoz@villaesperanza.gov.co"),
            CcNames(&["Natalia Castañeda", "Peña, Jorge"]),
            Participants(&["natalia.castaneda@villaesperanza.gov.co", "jorge.pena@villaesperanza.gov.co"]),
        ],
    ),
    (
        "10-base64-text-body.eml",
        &[
            Disposition("process"),
            Subject("Equipo muy lento"),
            Text("El computador de la Comisaría tarda más de diez minutos en arrancar y se congela al abrir el SIGEP."),
            NotText("\r"),
        ],
    ),
    (
        "11-quoted-printable-soft-breaks.eml",
        &[
            Disposition("process"),
            Subject("Escáner ventanilla única"),
            // The soft line breaks are gone: one unbroken sentence, `=` decoded.
            Text(
                "no reconoce los documentos de más de veinte páginas y el software muestra el error «memoria insuficiente»; la fórmula =SUMA(A1:A3) del Excel",
            ),
            NotText("=\n"),
            NotText("=3D"),
        ],
    ),
    (
        "12-multipart-alternative.eml",
        &[
            Disposition("process"),
            ContentType("multipart/alternative"),
            // The text part is the text; the HTML part is the HTML. Neither is an attachment.
            Text("Se me bloqueó la clave del SIIF después de tres intentos.\n(versión texto)"),
            NotText("versión html"),
            Html("Se me bloqueó la clave del <b>SIIF</b> después de tres intentos.<br>(versión html)"),
            Attachments(&[]),
        ],
    ),
    (
        "13-multipart-related-inline-image.eml",
        &[
            Disposition("process"),
            ContentType("multipart/related"),
            Text("Al abrir el visor geográfico aparece este error:"),
            Html(r#"<img src="cid:pantallazo.png@01DAB8C1.5F3E2A10""#),
            Attachments(&[(Some("image001.png"), "image/png", true)]),
            ContentId(0, "pantallazo.png@01DAB8C1.5F3E2A10"),
            AttachmentStarts(0, b"\x89PNG\r\n\x1a\n"),
        ],
    ),
    (
        "14-multipart-mixed-pdf-and-image.eml",
        &[
            Disposition("process"),
            Text("Adjunto la factura de compra y una foto de la pantalla dañada para tramitar la garantía."),
            Attachments(&[
                (Some("factura-FE-10293.pdf"), "application/pdf", false),
                (Some("pantalla.jpg"), "image/jpeg", false),
            ]),
            AttachmentStarts(0, b"%PDF-1.4"),
            AttachmentStarts(1, b"\xff\xd8\xff"),
            NoHtml,
        ],
    ),
    (
        "15-rfc2231-filenames.eml",
        &[
            Disposition("process"),
            Attachments(&[
                (Some("Informe técnico nº 3.pdf"), "application/pdf", false),
                (
                    Some("Inventario de equipos Secretaría de Hacienda.xlsx"),
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    false,
                ),
            ]),
            AttachmentStarts(1, b"PK\x03\x04"),
        ],
    ),
    (
        "16-html-only-hostile.eml",
        &[
            Disposition("process"),
            ContentType("text/html"),
            // The text version is derived from the sanitised HTML.
            Text("Buenas tardes,\n\nEl portal de PQRSD no carga desde el navegador de la recepción."),
            Text("la página oficial <https://pqrsd.villaesperanza.gov.co/radicar>"),
            Text("Atentamente,\nRecepción – Alcaldía"),
            NotText("document.location"),
            NotText("color: red"),
            NotText("Correo"),
            Html("<b>PQRSD</b>"),
            Html(r#"href="https://pqrsd.villaesperanza.gov.co/radicar""#),
            NotHtml("<script"),
            NotHtml("document.cookie"),
            NotHtml("<style"),
            NotHtml("onclick"),
            NotHtml("onload"),
            NotHtml("javascript:"),
            NotHtml("<iframe"),
            NotHtml("<form"),
            NotHtml("<input"),
            NotHtml("style="),
            Attachments(&[]),
        ],
    ),
    (
        "17-html-only-latin1-entities.eml",
        &[
            Disposition("process"),
            Subject("Creación de usuario"),
            Text(
                "Señores:\n\nSolicitamos la creación de usuario para la nueva funcionaria de Contratación, Ñ y ü incluídas.",
            ),
            Html("<p>Señores:</p>"),
        ],
    ),
    (
        "18-forwarded-message-rfc822.eml",
        &[
            Disposition("process"),
            Subject("Fwd: Correo sospechoso recibido en Tesoreria"),
            BaseSubject("Correo sospechoso recibido en Tesoreria"),
            Text("Reenvío como adjunto un correo que parece suplantación del banco."),
            Attachments(&[(Some("Actualice sus datos.eml"), "message/rfc822", false)]),
            AttachmentStarts(0, b"From: Banco Seguro <notificaciones@banco-seguro.example>"),
            Forwarded(
                "Actualización obligatoria de datos",
                "notificaciones@banco-seguro.example",
                "su cuenta será bloqueada si no actualiza sus datos hoy.",
            ),
            ForwardedAttachment("formulario.pdf"),
        ],
    ),
    (
        "19-reply-gmail-english.eml",
        &[
            Disposition("process"),
            Tag("", Some(118)),
            NewText("Ya quedó funcionando, muchas gracias por la ayuda."),
            QuotedStarts("On Mon, Jun 10, 2024 at 9:12 AM Mesa de Ayuda <soporte@villaesperanza.gov.co> wrote:"),
            // The full text keeps the history.
            Text("> Restablecimos la contraseña."),
            LookUps(&["signed:118", "stored:CAKx=5n+Q2w@mail.gmail.com"]),
        ],
    ),
    (
        "20-reply-gmail-spanish-wrapped.eml",
        &[
            Disposition("process"),
            Tag("", Some(120)),
            NewText("La impresora volvió a fallar esta mañana, ahora con el mismo mensaje."),
            QuotedStarts("El lun, 10 jun 2024 a las 9:40, Mesa de Ayuda (<soporte@villaesperanza.gov.co>)\nescribió:"),
            LookUps(&["signed:120"]),
        ],
    ),
    (
        "21-reply-outlook-spanish-header-block.eml",
        &[
            Disposition("process"),
            Subject("RE: [#121] Instalación programa de nómina"),
            Tag("", Some(121)),
            NewText(
                "Ya pueden venir a instalarlo, estaré en la oficina toda la tarde.\n\nJorge Eliécer Peña\nTesorería",
            ),
            QuotedStarts(
                "________________________________\nDe: Mesa de Ayuda <soporte@villaesperanza.gov.co>\nEnviado: lunes",
            ),
            Text("Buenos días, ¿en qué horario podemos pasar a instalar el programa?"),
        ],
    ),
    (
        "22-reply-original-message-rule.eml",
        &[
            Disposition("process"),
            NewText("Entendido, quedo pendiente del concepto técnico."),
            QuotedStarts("-----Mensaje original-----\nDe: Mesa de Ayuda"),
        ],
    ),
    (
        "23-reply-interleaved-not-folded.eml",
        &[
            Disposition("process"),
            // Answers between quoted questions: folding would hide them.
            NoQuote,
            NewText(
                "On 10/06/2024 11:30, Mesa de Ayuda wrote:\n> ¿Cuántos expedientes son?\nAproximadamente 1.200 expedientes.\n> ¿En qué formato están?\nEstán en PDF escaneado, sin OCR.",
            ),
        ],
    ),
    (
        "24-bounce-multipart-report.eml",
        &[
            Disposition("reject delivery_report"),
            ContentType("multipart/report"),
            From("mailer-daemon@mx.villaesperanza.gov.co"),
            Text("<usuario.retirado@villaesperanza.gov.co>: user unknown"),
            Attachments(&[(None, "message/delivery-status", false), (None, "text/rfc822-headers", false)]),
            AttachmentStarts(0, b"Reporting-MTA: dns; mx.villaesperanza.gov.co"),
        ],
    ),
    (
        "25-bounce-postmaster-plain.eml",
        &[
            Disposition("reject mailer_daemon"),
            Subject("No se puede entregar: [#125] Caso creado"),
            Text("El buzón del destinatario está lleno."),
        ],
    ),
    (
        "26-bounce-null-return-path.eml",
        &[Disposition("reject null_return_path"), Text("Su mensaje aún no ha sido entregado.")],
    ),
    (
        "27-read-receipt-mdn.eml",
        &[
            Disposition("reject delivery_report"),
            Subject("Leído: [#126] Caso solucionado"),
            Attachments(&[(None, "message/disposition-notification", false)]),
        ],
    ),
    (
        "28-out-of-office-auto-submitted.eml",
        &[
            // Return-Path <> too, but an auto-reply is kept (on its ticket), just not answered.
            Disposition("no_auto_reply auto_submitted"),
            Subject("Respuesta automática: [#127] Equipo muy lento"),
            Tag("", Some(127)),
            LookUps(&["signed:127"]),
            Text("Estoy en vacaciones hasta el 24 de junio."),
        ],
    ),
    ("29-auto-submitted-no.eml", &[Disposition("process"), Text(r"\\servidor\hacienda\presupuesto")]),
    (
        "30-x-autoreply.eml",
        &[Disposition("no_auto_reply auto_reply_header"), Tag("", Some(130)), From("contratista.obras@yahoo.com")],
    ),
    (
        "31-exchange-auto-response-suppress.eml",
        &[
            Disposition("no_auto_reply auto_response_suppressed"),
            Subject("Se compartió contigo \"Plan de mantenimiento 2024\""),
            Text("Natalia Castañeda compartió un archivo contigo"),
        ],
    ),
    (
        "32-precedence-bulk.eml",
        &[Disposition("no_auto_reply bulk_precedence"), Subject("Boletín de seguridad digital - junio")],
    ),
    (
        "33-list-id.eml",
        &[
            Disposition("no_auto_reply mailing_list"),
            Subject("Corte de energía el sábado"),
            Participants(&["funcionarios@villaesperanza.gov.co"]),
        ],
    ),
    (
        "34-from-own-address.eml",
        &[Disposition("reject own_address"), From("soporte@villaesperanza.gov.co"), Tag("", Some(134))],
    ),
    ("35-x-loop-own-address.eml", &[Disposition("reject own_address"), From("ana.gomez@villaesperanza.gov.co")]),
    (
        "36-missing-message-id.eml",
        &[
            Disposition("process"),
            MessageId(None),
            Defects(&["missing_message_id"]),
            Text("Necesitamos el concepto técnico de doce equipos para darlos de baja."),
        ],
    ),
    (
        "37-missing-from.eml",
        &[
            Disposition("process"),
            NoFrom,
            Defects(&["missing_from"]),
            Subject("Sin remitente"),
            Text("Mensaje generado por el escáner multifunción del segundo piso."),
        ],
    ),
    (
        "38-missing-date.eml",
        &[
            Disposition("process"),
            NoDate,
            Defects(&["missing_date"]),
            Text("El reloj del servidor de la secretaría está desfasado."),
        ],
    ),
    ("39-malformed-date.eml", &[Disposition("process"), NoDate, Defects(&["malformed_date"]), Subject("Fecha rara")]),
    (
        "40-header-without-colon.eml",
        &[
            Disposition("process"),
            // The headers after the broken line are still read.
            Subject("Encabezado roto por el escaner"),
            Date("2024-06-12T13:00:00-05:00"),
            MessageId(Some("nocolon-40@villaesperanza.gov.co")),
            Defects(&["malformed_header_line"]),
            Text("El escáner envía correos con un encabezado dañado."),
            NotText("Esto no es un encabezado"),
        ],
    ),
    (
        "41-8bit-latin1-headers.eml",
        &[
            Disposition("process"),
            Subject("Contraseña del módulo de facturación"),
            FromName("Jorge Eliécer Peña"),
            Defects(&["eight_bit_header"]),
            Text("Olvidé la contraseña del módulo de facturación."),
        ],
    ),
    (
        "42-8bit-utf8-headers.eml",
        &[
            Disposition("process"),
            Subject("Reunión de seguimiento – año 2024"),
            FromName("Natalia Castañeda"),
            Defects(&[]),
        ],
    ),
    (
        "43-unterminated-boundary.eml",
        &[
            Disposition("process"),
            Text("El plano del POT no se pudo enviar completo desde el plotter."),
            // The cut attachment is kept (as received), and the defect says so.
            Attachments(&[(Some("plano-pot.pdf"), "application/pdf", false)]),
            Defects(&["unterminated_multipart", "undecodable_part"]),
        ],
    ),
    (
        "44-empty-body.eml",
        &[
            Disposition("process"),
            Subject("(sin cuerpo) llamar a la extensión 214"),
            TextIsEmpty,
            NoHtml,
            Attachments(&[]),
            Defects(&[]),
            NoQuote,
        ],
    ),
    ("45-garbage-bytes.eml", &[Unparseable("no_headers")]),
    ("46-empty-file.eml", &[Unparseable("empty")]),
    (
        "47-subject-tag.eml",
        &[
            Disposition("process"),
            Tag("", Some(123)),
            Tag("Mesa", None),
            BaseSubject("[#123] Pantalla azul en equipo de contabilidad"),
        ],
    ),
    ("48-subject-tag-custom-prefix.eml", &[Disposition("process"), Tag("Mesa", Some(123)), Tag("", None)]),
    (
        "49-reply-forward-prefixes.eml",
        &[
            Disposition("process"),
            Subject("RE: RV: Fwd: Solicitud de cuenta de correo para practicante"),
            BaseSubject("Solicitud de cuenta de correo para practicante"),
            Tag("", None),
            LookUps(&[]),
        ],
    ),
    (
        "50-reply-to-differs.eml",
        &[
            Disposition("process"),
            From("escaner2@villaesperanza.gov.co"),
            ReplyTo("mariajose.quintero@villaesperanza.gov.co"),
        ],
    ),
    (
        "51-cc-list.eml",
        &[
            Disposition("process"),
            // Our own address (twice) and duplicates are not participants; case folds.
            Participants(&[
                "luis.munoz@villaesperanza.gov.co",
                "jorge.pena@villaesperanza.gov.co",
                "ana.gomez@villaesperanza.gov.co",
                "jefe.tic@villaesperanza.gov.co",
            ]),
            CcNames(&["Jorge Pena", "Ana Gomez"]),
        ],
    ),
    (
        "52-references-chain-signed.eml",
        &[
            Disposition("process"),
            ThreadRefs(&[
                "mesa.152.5f3a.1ec6ddaa79b397d01b40cbabef2450ce@mesa.villaesperanza.gov.co",
                // Domain lower-cased, left part kept as sent.
                "20240612.abc@mail.villaesperanza.gov.co",
                "CAKx=first52@mail.gmail.com",
            ]),
            LookUps(&[
                "signed:152",
                "stored:20240612.abc@mail.villaesperanza.gov.co",
                "stored:CAKx=first52@mail.gmail.com",
            ]),
            Tag("", None),
        ],
    ),
    (
        "53-forged-mesa-message-id.eml",
        &[
            Disposition("process"),
            ThreadRefs(&["mesa.123.1.f8f8a05faf9253294e94156dc0926a97@mesa.villaesperanza.gov.co"]),
            // Looks like ours, signature wrong: nothing to look up.
            LookUps(&[]),
        ],
    ),
    (
        "54-undeclared-charset-latin1-body.eml",
        &[
            Disposition("process"),
            Text("La extensión 305 de la Secretaría de Educación no tiene tono."),
            Defects(&["undeclared_charset"]),
        ],
    ),
    (
        "55-apple-inline-image-without-cid.eml",
        &[
            Disposition("process"),
            Text("Así quedó el cableado del rack después de la lluvia."),
            // Marked inline, but no HTML shows it: it must stay in the attachment list.
            Attachments(&[(Some("IMG_0412.jpg"), "image/jpeg", false)]),
        ],
    ),
    (
        "56-text-attachment-latin1-csv.eml",
        &[
            Disposition("process"),
            Attachments(&[(Some("usuarios.csv"), "text/csv", false)]),
            // Bytes as sent: Latin-1 "José Núñez", not re-encoded to UTF-8.
            AttachmentStarts(0, b"documento;nombre;dependencia\n1010;Jos\xe9 N\xfa\xf1ez;Tesorer\xeda\n"),
        ],
    ),
    (
        "57-mbox-from-line.eml",
        &[
            Disposition("process"),
            From("ana.gomez@villaesperanza.gov.co"),
            Subject("Mensaje entregado por tuberia"),
            Defects(&[]),
        ],
    ),
    (
        "58-outlook-forward-rv.eml",
        &[
            Disposition("process"),
            // An Outlook forward looks like a reply, but its body is the request.
            NoQuote,
            Text("El sistema de turnos no imprime los tiquetes desde las 10 a. m."),
            BaseSubject("Falla en el sistema de turnos"),
        ],
    ),
];

fn corpus_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus"))
}

fn read(file: &str) -> Vec<u8> {
    fs::read(corpus_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn parsed(file: &str) -> ParsedMail {
    parse(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn the_corpus_has_at_least_45_messages_and_every_one_has_expectations() {
    let on_disk: BTreeSet<String> =
        fs::read_dir(corpus_dir()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    let in_table: BTreeSet<String> = CASES.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, in_table, "tests/corpus and CASES must list the same files");
    assert!(CASES.len() >= 45, "only {} messages", CASES.len());
    for (file, checks) in CASES {
        let decided = checks.iter().any(|c| matches!(c, Disposition(_) | Unparseable(_)));
        assert!(decided, "{file}: every message needs its outcome asserted");
    }
}

#[test]
fn every_corpus_message_parses_to_its_expected_outcome() {
    let mut failures = Vec::new();
    for (file, checks) in CASES {
        let raw = read(file);
        let result = parse(&raw);
        for check in *checks {
            if let Err(why) = run_check(&result, check) {
                failures.push(format!("{file}: {check:?}: {why}"));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn run_check(result: &Result<ParsedMail, mesa_mail::Unparseable>, check: &Check) -> Result<(), String> {
    let ensure = |ok: bool, got: String| {
        if ok { Ok(()) } else { Err(format!("got {got}")) }
    };
    let mail = match (result, check) {
        (Err(e), Unparseable(reason)) => {
            return ensure(e.reason.as_str() == *reason, e.reason.to_string());
        }
        (Ok(_), Unparseable(_)) => return Err("parsed, but should not".into()),
        (Err(e), _) => return Err(format!("unparseable: {e}")),
        (Ok(mail), _) => mail,
    };
    let text = mail.text.as_str();
    let html = mail.html.as_deref().unwrap_or_default();
    let split = mail.quote_split();
    match check {
        Unparseable(_) => unreachable!(),
        Disposition(expected) => {
            let d = disposition(mail, OWN);
            ensure(d.to_string() == *expected, d.to_string())
        }
        Subject(s) => ensure(mail.subject == *s, format!("{:?}", mail.subject)),
        BaseSubject(s) => ensure(strip_reply_prefixes(&mail.subject) == *s, mail.subject.clone()),
        Tag(prefix, n) => {
            let got = subject_tag(&mail.subject, prefix);
            ensure(got == *n, format!("{got:?}"))
        }
        From(a) => ensure(mail.from.as_ref().map(|m| m.address.as_str()) == Some(a), format!("{:?}", mail.from)),
        FromName(n) => {
            ensure(mail.from.as_ref().and_then(|m| m.name.as_deref()) == Some(n), format!("{:?}", mail.from))
        }
        NoFrom => ensure(mail.from.is_none(), format!("{:?}", mail.from)),
        ReplyTo(a) => {
            let got: Vec<_> = mail.reply_recipients().iter().map(|m| m.address.clone()).collect();
            ensure(got == [a.to_string()], format!("{got:?}"))
        }
        Participants(expected) => {
            let got: Vec<_> = mail.participants(OWN).iter().map(|m| m.address.as_str()).collect();
            ensure(got == *expected, format!("{got:?}"))
        }
        CcNames(expected) => {
            let got: Vec<_> = mail.cc.iter().filter_map(|m| m.name.as_deref()).collect();
            ensure(got == *expected, format!("{got:?}"))
        }
        Date(d) => ensure(mail.date.map(|d| d.to_rfc3339()).as_deref() == Some(d), format!("{:?}", mail.date)),
        NoDate => ensure(mail.date.is_none(), format!("{:?}", mail.date)),
        MessageId(id) => {
            let got = mail.message_id.as_ref().map(|m| m.as_str());
            ensure(got == *id, format!("{got:?}"))
        }
        ThreadRefs(expected) => {
            let got: Vec<_> = mail.thread_references().iter().map(|m| m.as_str()).collect();
            ensure(got == *expected, format!("{got:?}"))
        }
        LookUps(expected) => {
            let signer = signer();
            let got: Vec<String> = references_to_check(mail, &signer)
                .iter()
                .map(|r| match r {
                    Reference::Signed { ticket, .. } => format!("signed:{ticket}"),
                    Reference::Stored { id } => format!("stored:{id}"),
                })
                .collect();
            ensure(got == *expected, format!("{got:?}"))
        }
        ContentType(t) => ensure(mail.content_type == *t, mail.content_type.clone()),
        Text(phrase) => ensure(text.contains(phrase), format!("{text:?}")),
        NotText(phrase) => ensure(!text.contains(phrase), format!("{text:?}")),
        TextIsEmpty => ensure(text.is_empty(), format!("{text:?}")),
        Html(fragment) => ensure(html.contains(fragment), format!("{:?}", mail.html)),
        NotHtml(fragment) => ensure(!html.to_ascii_lowercase().contains(fragment), format!("{:?}", mail.html)),
        NoHtml => ensure(mail.html.is_none(), format!("{:?}", mail.html)),
        Attachments(expected) => {
            let got: Vec<_> =
                mail.attachments.iter().map(|a| (a.filename.as_deref(), a.content_type.as_str(), a.inline)).collect();
            ensure(got == *expected, format!("{got:?}"))
        }
        AttachmentStarts(i, prefix) => {
            let bytes = mail.attachments.get(*i).map(|a| a.bytes.as_slice()).unwrap_or_default();
            ensure(bytes.starts_with(prefix), format!("{:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(80)])))
        }
        ContentId(i, id) => {
            let got = mail.attachments.get(*i).and_then(|a| a.content_id.as_deref());
            ensure(got == Some(id), format!("{got:?}"))
        }
        Defects(expected) => {
            let got: Vec<_> = mail.defects.iter().map(|d| d.as_str()).collect();
            ensure(got == *expected, format!("{got:?}"))
        }
        NewText(t) => ensure(split.new_text == *t, format!("{:?}", split.new_text)),
        QuotedStarts(t) => ensure(split.quoted.starts_with(t), format!("{:?}", split.quoted)),
        NoQuote => ensure(!split.has_quote(), format!("{:?}", split.quoted)),
        Forwarded(subject, from, phrase) => {
            let Some(f) = mail.forwarded.first() else {
                return Err("no forwarded message".into());
            };
            let ok = f.subject == *subject
                && f.from.as_ref().map(|m| m.address.as_str()) == Some(from)
                && f.text.contains(phrase);
            ensure(ok, format!("{:?} / {:?} / {:?}", f.subject, f.from, f.text))
        }
        ForwardedAttachment(name) => {
            let names: Vec<_> =
                mail.forwarded.iter().flat_map(|f| &f.attachments).filter_map(|a| a.filename.as_deref()).collect();
            ensure(names.contains(name), format!("{names:?}"))
        }
    }
}

// ---------------------------------------------------------------- threading on corpus messages

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 14, 12, 0, 0).unwrap()
}

fn ticket(number: i64, requester: &str, participants: &[&str], state: TicketState) -> TicketFacts {
    TicketFacts {
        number,
        requester: requester.into(),
        participants: participants.iter().map(|p| p.to_string()).collect(),
        state,
    }
}

#[test]
fn a_signed_reference_threads_without_a_lookup() {
    let mail = parsed("52-references-chain-signed.eml");
    let refs = references_to_check(&mail, &signer());
    let Reference::Signed { ticket: number, .. } = refs[0] else { panic!("{refs:?}") };
    let facts = ThreadFacts {
        by_reference: Some(ticket(number, "ccbeltran@gmail.com", &[], TicketState::Open)),
        ..Default::default()
    };
    assert_eq!(decide(&mail, &facts, &ThreadPolicy::default(), now()), ThreadDecision::Append { number: 152 });
}

#[test]
fn a_forged_reference_opens_a_new_ticket() {
    let mail = parsed("53-forged-mesa-message-id.eml");
    assert!(references_to_check(&mail, &signer()).is_empty());
    assert_eq!(subject_tag(&mail.subject, ""), None);
    assert_eq!(
        decide(&mail, &ThreadFacts::default(), &ThreadPolicy::default(), now()),
        ThreadDecision::NewTicket { linked_to: None }
    );
}

#[test]
fn the_tag_threads_for_the_requester_but_not_for_a_stranger() {
    let mail = parsed("47-subject-tag.eml");
    let number = subject_tag(&mail.subject, "").unwrap();
    let facts = |requester: &str| ThreadFacts {
        by_tag: Some(ticket(number, requester, &["jefe.tic@villaesperanza.gov.co"], TicketState::Open)),
        ..Default::default()
    };
    let policy = ThreadPolicy::default();
    assert_eq!(
        decide(&mail, &facts("ana.gomez@villaesperanza.gov.co"), &policy, now()),
        ThreadDecision::Append { number: 123 }
    );
    assert_eq!(
        decide(&mail, &facts("otra.persona@villaesperanza.gov.co"), &policy, now()),
        ThreadDecision::NewTicket { linked_to: None }
    );
}

#[test]
fn a_reply_all_from_a_cc_participant_threads() {
    // Jorge was Cc'd on 51; his reply-all with the tag joins the ticket Natalia opened.
    let opening = parsed("51-cc-list.eml");
    let participants: Vec<&str> = opening.participants(OWN).iter().map(|m| m.address.as_str()).collect();
    let mut reply = parsed("47-subject-tag.eml");
    reply.from = opening.cc.first().cloned();
    let facts = ThreadFacts {
        by_tag: Some(ticket(123, "natalia.castaneda@villaesperanza.gov.co", &participants, TicketState::Open)),
        ..Default::default()
    };
    assert_eq!(decide(&reply, &facts, &ThreadPolicy::default(), now()), ThreadDecision::Append { number: 123 });
}

#[test]
fn an_out_of_office_on_a_closed_ticket_reopens_within_the_window_but_is_never_answered() {
    let mail = parsed("28-out-of-office-auto-submitted.eml");
    assert!(!disposition(&mail, OWN).allows_auto_reply());
    let closed = |days| ThreadFacts {
        by_reference: Some(ticket(
            127,
            "luis.munoz@villaesperanza.gov.co",
            &[],
            TicketState::Closed { at: now() - chrono::TimeDelta::days(days) },
        )),
        ..Default::default()
    };
    assert_eq!(decide(&mail, &closed(2), &ThreadPolicy::default(), now()), ThreadDecision::Reopen { number: 127 });
    assert_eq!(
        decide(&mail, &closed(30), &ThreadPolicy::default(), now()),
        ThreadDecision::NewTicket { linked_to: Some(127) }
    );
}

#[test]
fn a_message_without_from_is_quarantined() {
    let mail = parsed("37-missing-from.eml");
    assert_eq!(
        decide(&mail, &ThreadFacts::default(), &ThreadPolicy::default(), now()),
        ThreadDecision::Quarantine { reason: QuarantineReason::NoSender }
    );
}

#[test]
fn bounces_and_own_mail_are_rejected_before_threading() {
    for file in [
        "24-bounce-multipart-report.eml",
        "25-bounce-postmaster-plain.eml",
        "26-bounce-null-return-path.eml",
        "34-from-own-address.eml",
        "35-x-loop-own-address.eml",
    ] {
        assert!(matches!(disposition(&parsed(file), OWN), Disposition::Reject(_)), "{file}");
    }
}

// ---------------------------------------------------------------- generated messages

/// Deterministic pseudo-random bytes (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + bytes.len() / 57 + 4);
    for (i, chunk) in bytes.chunks(3).enumerate() {
        if i > 0 && i % 19 == 0 {
            out.push_str("\r\n");
        }
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const HEAD: &str = "From: Ana Gomez <ana.gomez@villaesperanza.gov.co>\r\nTo: soporte@villaesperanza.gov.co\r\nDate: Fri, 14 Jun 2024 12:00:00 -0500\r\nMessage-ID: <gen@villaesperanza.gov.co>\r\nMIME-Version: 1.0\r\n";

#[test]
fn generated_a_10_mb_attachment_comes_back_byte_for_byte() {
    let payload = Rng(10).bytes(10 * 1024 * 1024);
    let raw = format!(
        "{HEAD}Subject: Video de la cámara de seguridad\r\nContent-Type: multipart/mixed; boundary=\"big\"\r\n\r\n\
         --big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAdjunto el video del parqueadero.\r\n\
         --big\r\nContent-Type: video/mp4\r\nContent-Disposition: attachment; filename=\"camara-parqueadero.mp4\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--big--\r\n",
        base64(&payload)
    );
    assert!(raw.len() > 13_000_000);
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text, "Adjunto el video del parqueadero.");
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].filename.as_deref(), Some("camara-parqueadero.mp4"));
    assert!(mail.attachments[0].bytes == payload, "attachment bytes differ");
    assert!(mail.defects.is_empty(), "{:?}", mail.defects);
}

#[test]
fn generated_a_5_mb_body_on_one_line_parses() {
    let line = "á".repeat(2_500_000);
    let raw = format!("{HEAD}Subject: Línea larga\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{line}");
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text.chars().count(), 2_500_000);
}

#[test]
fn generated_very_long_headers_parse() {
    let words = "=?UTF-8?Q?Solicitud_de_soporte_t=C3=A9cnico_?=\r\n ".repeat(4000);
    let references: String = (0..50_000).map(|i| format!("<ref{i}@villaesperanza.gov.co>\r\n ")).collect();
    let unfolded = "x".repeat(200_000);
    let raw =
        format!("{HEAD}Subject: {words}fin\r\nReferences: {references}\r\nX-Unfolded: {unfolded}\r\n\r\nCuerpo.\r\n");
    let mail = parse(raw.as_bytes()).unwrap();
    assert!(mail.subject.starts_with("Solicitud de soporte técnico Solicitud"), "{}", &mail.subject[..80]);
    assert!(mail.subject.ends_with("fin"));
    assert_eq!(mail.references.len(), 50_000);
    assert_eq!(mail.thread_references()[0].as_str(), "ref49999@villaesperanza.gov.co");
    assert_eq!(mail.header("X-Unfolded").map(str::len), Some(200_000));
    assert_eq!(mail.text, "Cuerpo.");
}

#[test]
fn generated_deeply_nested_multiparts_parse() {
    let depth = 2000;
    let mut raw = format!("{HEAD}Subject: Anidado\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
    for level in 1..depth {
        raw.push_str(&format!("--b{}\r\nContent-Type: multipart/mixed; boundary=\"b{level}\"\r\n\r\n", level - 1));
    }
    raw.push_str(&format!(
        "--b{}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEn el fondo del anidamiento.\r\n",
        depth - 1
    ));
    for level in (0..depth).rev() {
        raw.push_str(&format!("--b{level}--\r\n"));
    }
    let mail = parse(raw.as_bytes()).unwrap();
    assert!(mail.text.contains("En el fondo del anidamiento."), "{:?}", mail.text);
}

#[test]
fn generated_deeply_nested_forwards_are_cut_off_not_overflowing_the_stack() {
    let depth = 5000;
    let mut raw = String::new();
    for level in 0..depth {
        raw.push_str(&format!("From: nivel{level}@villaesperanza.gov.co\r\nSubject: RV: nivel {level}\r\nContent-Type: message/rfc822\r\n\r\n"));
    }
    raw.push_str("From: fondo@villaesperanza.gov.co\r\nSubject: fondo\r\n\r\nEl mensaje original.\r\n");
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.subject, "RV: nivel 0");
    assert!(mail.has_defect(mesa_mail::Defect::NestingTooDeep), "{:?}", mail.defects);
    assert_eq!(mail.forwarded.len(), 1);
}

#[test]
fn generated_deeply_nested_html_is_sanitised_and_flattened() {
    let depth = 50_000;
    let html = format!("{}<p onclick=\"x()\">Texto profundo</p>{}", "<div>".repeat(depth), "</div>".repeat(depth));
    let raw = format!("{HEAD}Subject: HTML profundo\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text, "Texto profundo");
    assert_eq!(mail.html.as_deref(), Some("<pre>Texto profundo</pre>"));
    assert!(mail.has_defect(mesa_mail::Defect::HtmlTooDeep));
}

#[test]
fn generated_many_small_attachments_are_all_kept() {
    let mut raw = format!(
        "{HEAD}Subject: Fotos\r\nContent-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nFotos del inventario.\r\n"
    );
    for i in 0..1500 {
        raw.push_str(&format!("--m\r\nContent-Type: image/jpeg\r\nContent-Disposition: attachment; filename=\"foto-{i}.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n"));
    }
    raw.push_str("--m--\r\n");
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.attachments.len(), 1500);
    assert_eq!(mail.attachments[1499].filename.as_deref(), Some("foto-1499.jpg"));
}

#[test]
fn generated_random_bytes_never_panic() {
    let mut rng = Rng(0x5eed);
    for round in 0..400 {
        let len = (rng.next() % 3000) as usize;
        let mut bytes = rng.bytes(len);
        if round % 2 == 0 {
            // Half of them start like a message, to get past the header check.
            let mut framed = b"From: a@b.co\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n".to_vec();
            framed.append(&mut bytes);
            bytes = framed;
        }
        if let Err(e) = parse(&bytes) {
            assert_ne!(e.reason, UnparseableReason::ParserFailure, "round {round}");
        }
    }
}

#[test]
fn corpus_messages_cut_short_or_corrupted_never_panic() {
    let mut rng = Rng(0xc0ffee);
    for (file, _) in CASES {
        let raw = read(file);
        if raw.is_empty() {
            continue;
        }
        let mut variants: Vec<Vec<u8>> = (1..=24).map(|k| raw[..raw.len() * k / 25].to_vec()).collect();
        for _ in 0..24 {
            let mut flipped = raw.clone();
            for _ in 0..8 {
                let at = (rng.next() as usize) % flipped.len();
                flipped[at] = rng.next() as u8;
            }
            variants.push(flipped);
        }
        for (i, variant) in variants.iter().enumerate() {
            if let Err(e) = parse(variant) {
                assert_ne!(e.reason, UnparseableReason::ParserFailure, "{file} variant {i}");
            }
        }
    }
}
