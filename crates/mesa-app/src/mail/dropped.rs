//! Attachments a mail brought that Mesa did not keep: a line on the entry
//! ("adjunto omitido: nombre, tamaño, motivo") and a notice to the sender,
//! so nobody believes a file arrived that did not.

use mesa_core::Lang;
use mesa_core::labels::text;

/// Why a part was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DropReason {
    /// Over the desk's attachment size limit.
    TooLarge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DroppedPart {
    pub name: String,
    pub size: usize,
    pub reason: DropReason,
}

/// One line per dropped part, in `lang`.
pub(crate) fn lines(dropped: &[DroppedPart], lang: Lang, limit: usize) -> Vec<String> {
    dropped
        .iter()
        .map(|part| {
            let reason = match part.reason {
                DropReason::TooLarge => text(lang, "mail.attachment_too_large").replace("{limit}", &size(limit)),
            };
            text(lang, "mail.attachment_dropped")
                .replace("{name}", &part.name)
                .replace("{size}", &size(part.size))
                .replace("{reason}", &reason)
        })
        .collect()
}

/// A size as people read it: `512 B`, `12.5 KB`, `30.0 MB`.
pub(crate) fn size(bytes: usize) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_part_reads_with_its_name_size_and_reason() {
        let part = DroppedPart { name: "planos.zip".into(), size: 31 * 1024 * 1024, reason: DropReason::TooLarge };
        let lines = lines(&[part], Lang::Es, 20 * 1024 * 1024);
        assert_eq!(lines, vec!["adjunto omitido: planos.zip, 31.0 MB, supera el límite de 20.0 MB".to_owned()]);
        assert_eq!(size(900), "900 B");
    }
}
