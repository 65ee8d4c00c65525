//! Names into MRZ characters, after the transliteration tables of ICAO 9303
//! Part 3, section 6 (Latin characters with diacritics, Cyrillic).
//!
//! The MRZ holds only A–Z and the filler `<`, so a name printed as "Müller" in
//! the visual zone reads `MUELLER` (the recommended transliteration) or
//! `MULLER` (the permitted alternative) in the MRZ. Comparing the MRZ name with
//! the chip's DG11 or a typed name therefore has to accept both:
//! see [`names_equivalent`].

/// Which table variant to use for the characters ICAO gives two spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// ICAO's recommended transliteration (Ä → AE, Å → AA, Ü → UE).
    Recommended,
    /// The diacritic simply dropped (Ä → A, Å → A, Ü → U).
    BaseLetter,
}

/// Transliterates a name (or one part of it) into MRZ characters with the
/// ICAO recommended table: letters become A–Z, spaces and hyphens become the
/// filler `<`, apostrophes and other punctuation disappear.
/// E.g. "Müller" → "MUELLER", "Straße" → "STRASSE", "Ольга" → "OLGA".
pub fn transliterate(name: &str) -> String {
    transliterate_with(name, Variant::Recommended)
}

/// The alternative the ICAO table permits: diacritics dropped ("Müller" → "MULLER").
pub fn transliterate_base_letters(name: &str) -> String {
    transliterate_with(name, Variant::BaseLetter)
}

/// Whether a name read from the MRZ (fillers included or not) matches a name
/// written in full (DG11, typed by an officer), under either ICAO spelling.
/// Fillers, spaces and hyphens all count as one separator.
pub fn names_equivalent(mrz_name: &str, written_name: &str) -> bool {
    let canonical = |text: &str| -> String {
        text.split(|c: char| c == '<' || c.is_whitespace() || c == '-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let read = canonical(&transliterate(mrz_name));
    read == canonical(&transliterate(written_name)) || read == canonical(&transliterate_base_letters(written_name))
}

fn transliterate_with(name: &str, variant: Variant) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'A'..='Z' | '<' => out.push(c),
            'a'..='z' => out.push(c.to_ascii_uppercase()),
            ' ' | '-' | '\u{2010}' | '\u{2011}' | '\t' => out.push('<'),
            _ => {
                if let Some(latin) = latin_letter(c, variant) {
                    out.push_str(latin);
                } else if let Some(cyrillic) = cyrillic_letter(c) {
                    out.push_str(cyrillic);
                }
                // Anything else (apostrophes, commas, digits, unknown scripts) is omitted.
            }
        }
    }
    out
}

/// Base letters of Latin Extended-A, U+0100 to U+017F, in code point order.
const LATIN_EXTENDED_A: [&str; 128] = [
    "A", "A", "A", "A", "A", "A", // Ā ā Ă ă Ą ą
    "C", "C", "C", "C", "C", "C", "C", "C", // Ć ć Ĉ ĉ Ċ ċ Č č
    "D", "D", "D", "D", // Ď ď Đ đ
    "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", // Ē ē Ĕ ĕ Ė ė Ę ę Ě ě
    "G", "G", "G", "G", "G", "G", "G", "G", // Ĝ ĝ Ğ ğ Ġ ġ Ģ ģ
    "H", "H", "H", "H", // Ĥ ĥ Ħ ħ
    "I", "I", "I", "I", "I", "I", "I", "I", "I", "I", // Ĩ ĩ Ī ī Ĭ ĭ Į į İ ı
    "IJ", "IJ", // Ĳ ĳ
    "J", "J", // Ĵ ĵ
    "K", "K", "K", // Ķ ķ ĸ
    "L", "L", "L", "L", "L", "L", "L", "L", "L", "L", // Ĺ ĺ Ļ ļ Ľ ľ Ŀ ŀ Ł ł
    "N", "N", "N", "N", "N", "N", "N", "N", "N", // Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ
    "O", "O", "O", "O", "O", "O", // Ō ō Ŏ ŏ Ő ő
    "OE", "OE", // Œ œ
    "R", "R", "R", "R", "R", "R", // Ŕ ŕ Ŗ ŗ Ř ř
    "S", "S", "S", "S", "S", "S", "S", "S", // Ś ś Ŝ ŝ Ş ş Š š
    "T", "T", "T", "T", "T", "T", // Ţ ţ Ť ť Ŧ ŧ
    "U", "U", "U", "U", "U", "U", "U", "U", "U", "U", "U", "U", // Ũ ũ Ū ū Ŭ ŭ Ů ů Ű ű Ų ų
    "W", "W", // Ŵ ŵ
    "Y", "Y", "Y", // Ŷ ŷ Ÿ
    "Z", "Z", "Z", "Z", "Z", "Z", // Ź ź Ż ż Ž ž
    "S", // ſ
];

/// Latin-1 Supplement letters and the few others ICAO lists.
fn latin_letter(c: char, variant: Variant) -> Option<&'static str> {
    let recommended = variant == Variant::Recommended;
    let mapped = match c.to_uppercase().next().unwrap_or(c) {
        'À' | 'Á' | 'Â' | 'Ã' => "A",
        'Ä' if recommended => "AE",
        'Ä' => "A",
        'Å' if recommended => "AA",
        'Å' => "A",
        'Æ' => "AE",
        'Ç' => "C",
        'È' | 'É' | 'Ê' | 'Ë' => "E",
        'Ì' | 'Í' | 'Î' | 'Ï' => "I",
        'Ð' => "D",
        'Ñ' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' => "O",
        'Ö' if recommended => "OE",
        'Ö' => "O",
        'Ø' => "OE",
        'Ù' | 'Ú' | 'Û' => "U",
        'Ü' if recommended => "UE",
        'Ü' => "U",
        'Ý' | 'Ÿ' => "Y",
        'Þ' => "TH",
        'Ș' => "S",
        'Ț' => "T",
        _ => {
            if c == 'ß' {
                return Some("SS");
            }
            if c == 'ÿ' {
                return Some("Y");
            }
            let code = c as u32;
            if (0x100..0x180).contains(&code) {
                return LATIN_EXTENDED_A.get((code - 0x100) as usize).copied();
            }
            return None;
        }
    };
    Some(mapped)
}

/// Cyrillic after the ICAO 9303 Part 3 table (Russian, Ukrainian, Belarusian,
/// Serbian, Macedonian letters); the soft sign has no transliteration.
fn cyrillic_letter(c: char) -> Option<&'static str> {
    let code = c as u32;
    // Fold lower case onto upper case: а–я (U+0430–044F) → А–Я, ѐ–џ (U+0450–045F) → Ѐ–Џ.
    let upper = match code {
        0x0430..=0x044F => char::from_u32(code - 0x20)?,
        0x0450..=0x045F => char::from_u32(code - 0x50)?,
        0x0491 => 'Ґ',
        _ => c,
    };
    let mapped = match upper {
        'А' => "A",
        'Б' => "B",
        'В' => "V",
        'Г' | 'Ґ' | 'Ѓ' => "G",
        'Д' | 'Ђ' => "D",
        'Е' | 'Ё' | 'Ѐ' | 'Э' => "E",
        'Ж' => "ZH",
        'З' => "Z",
        'И' | 'Й' | 'І' | 'Ї' | 'Ѝ' => "I",
        'К' | 'Ќ' => "K",
        'Л' => "L",
        'М' => "M",
        'Н' => "N",
        'О' => "O",
        'П' => "P",
        'Р' => "R",
        'С' => "S",
        'Т' => "T",
        'У' | 'Ў' => "U",
        'Ф' => "F",
        'Х' => "KH",
        'Ц' => "TS",
        'Ч' => "CH",
        'Ш' => "SH",
        'Щ' => "SHCH",
        'Ъ' | 'Є' => "IE",
        'Ы' => "Y",
        'Ь' => "",
        'Ю' => "IU",
        'Я' => "IA",
        'Ј' => "J",
        'Љ' => "LJ",
        'Њ' => "NJ",
        'Ћ' => "C",
        'Џ' | 'Ѕ' => "DZ",
        _ => return None,
    };
    Some(mapped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_with_diacritics() {
        assert_eq!(transliterate("Müller"), "MUELLER");
        assert_eq!(transliterate_base_letters("Müller"), "MULLER");
        assert_eq!(transliterate("Straße"), "STRASSE");
        assert_eq!(transliterate("Ångström"), "AANGSTROEM");
        assert_eq!(transliterate("Œdipe"), "OEDIPE");
        assert_eq!(transliterate("Łukasz Żółć"), "LUKASZ<ZOLC");
        assert_eq!(transliterate("Þórunn Guðrún"), "THORUNN<GUDRUN");
        assert_eq!(transliterate("Núñez-García"), "NUNEZ<GARCIA");
        assert_eq!(transliterate("O'Brien"), "OBRIEN");
        assert_eq!(transliterate("Ştefan Ţăran"), "STEFAN<TARAN");
    }

    #[test]
    fn cyrillic() {
        assert_eq!(transliterate("Ольга"), "OLGA");
        assert_eq!(transliterate("Щукин"), "SHCHUKIN");
        assert_eq!(transliterate("Юрий Хрущёв"), "IURII<KHRUSHCHEV");
        assert_eq!(transliterate("Мацієвська"), "MATSIIEVSKA");
        assert_eq!(transliterate("Ђорђе Љубић"), "DORDE<LJUBIC");
    }

    #[test]
    fn equivalence_accepts_both_icao_spellings() {
        assert!(names_equivalent("MUELLER", "Müller"));
        assert!(names_equivalent("MULLER", "Müller"));
        assert!(!names_equivalent("MILLER", "Müller"));
        assert!(names_equivalent("ANNA<MARIA", "Anna-Maria"));
    }

    #[test]
    fn output_is_always_mrz_characters() {
        let out = transliterate("日本 Zoë 123 !@# ñ");
        assert!(out.chars().all(|c| c.is_ascii_uppercase() || c == '<'), "{out}");
    }
}
