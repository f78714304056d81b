//! Full-text search rules shared by both databases: text is folded (lower
//! case, Spanish accents removed) before it is indexed and before it is
//! searched, so "Impresión" finds "impresion" on SQLite and PostgreSQL alike.

/// Lower-cases and removes the diacritics of Spanish and other Latin text.
pub fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).map(strip_accent).collect()
}

fn strip_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'ä' | 'â' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ë' | 'ê' => 'e',
        'í' | 'ì' | 'ï' | 'î' => 'i',
        'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
        'ú' | 'ù' | 'ü' | 'û' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        other => other,
    }
}

/// The most terms one query uses; more only slows the search down.
pub const MAX_TERMS: usize = 8;

/// A search counts its matches up to this many. Beyond it, the total says
/// "more than 1,000": counting every ticket that mentions a common word
/// costs a read per ticket, and nobody pages through that many results
/// rather than adding a word.
pub const COUNT_LIMIT: u32 = 1000;

/// Splits a query into folded alphanumeric terms (at most `MAX_TERMS`).
/// Terms contain only letters and digits, so the store can build each
/// backend's query syntax from them without escaping.
pub fn terms(query: &str) -> Vec<String> {
    fold(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_TERMS)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_and_spanish_accents() {
        assert_eq!(fold("IMPRESIÓN Año Pingüino"), "impresion ano pinguino");
    }

    #[test]
    fn terms_are_folded_alphanumeric_words() {
        assert_eq!(terms("  ¿Impresora   dañada?  PC-0412 "), vec!["impresora", "danada", "pc", "0412"]);
        assert!(terms(" \"*' -- ").is_empty());
    }

    #[test]
    fn terms_are_capped() {
        assert_eq!(terms(&"a ".repeat(50)).len(), MAX_TERMS);
    }
}
