//! The MRZ layouts (ICAO 9303 Parts 4–7 and the legacy French identity card)
//! and how to recognise them from the printed lines.

use serde::{Deserialize, Serialize};

/// One machine readable zone layout.
///
/// The layout decides the number and length of lines and where every field sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MrzFormat {
    /// ICAO 9303 Part 5: identity cards, 3 lines of 30 characters.
    #[serde(rename = "TD1")]
    Td1,
    /// ICAO 9303 Part 6: official travel documents, 2 lines of 36 characters.
    #[serde(rename = "TD2")]
    Td2,
    /// ICAO 9303 Part 4: passports, 2 lines of 44 characters.
    #[serde(rename = "TD3")]
    Td3,
    /// ICAO 9303 Part 7: full-size visa, 2 lines of 44 characters.
    #[serde(rename = "MRVA")]
    MrvA,
    /// ICAO 9303 Part 7: small visa, 2 lines of 36 characters.
    #[serde(rename = "MRVB")]
    MrvB,
    /// The French national identity card issued 1988–2021: 2 lines of 36
    /// characters in a national layout that readers are expected to handle.
    #[serde(rename = "FRENCH_ID")]
    FrenchId,
}

impl MrzFormat {
    /// All formats, in the order they are documented.
    pub const ALL: [MrzFormat; 6] =
        [MrzFormat::Td1, MrzFormat::Td2, MrzFormat::Td3, MrzFormat::MrvA, MrzFormat::MrvB, MrzFormat::FrenchId];

    /// Number of printed lines.
    pub fn line_count(self) -> usize {
        match self {
            MrzFormat::Td1 => 3,
            _ => 2,
        }
    }

    /// Characters per line.
    pub fn line_length(self) -> usize {
        match self {
            MrzFormat::Td1 => 30,
            MrzFormat::Td2 | MrzFormat::MrvB | MrzFormat::FrenchId => 36,
            MrzFormat::Td3 | MrzFormat::MrvA => 44,
        }
    }

    /// The name used by the CLI JSON contract (`TD1|TD2|TD3|MRVA|MRVB`).
    /// The French card reports as `TD2` (its physical size) and the report adds
    /// `"variant": "french_id"`, because the contract's enum has no French value.
    pub fn contract_name(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 | MrzFormat::FrenchId => "TD2",
            MrzFormat::Td3 => "TD3",
            MrzFormat::MrvA => "MRVA",
            MrzFormat::MrvB => "MRVB",
        }
    }

    /// A name for people: "TD3 passport", "French identity card (1988)".
    pub fn label(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1 card (3×30)",
            MrzFormat::Td2 => "TD2 document (2×36)",
            MrzFormat::Td3 => "TD3 passport (2×44)",
            MrzFormat::MrvA => "MRV-A visa (2×44)",
            MrzFormat::MrvB => "MRV-B visa (2×36)",
            MrzFormat::FrenchId => "French identity card, 1988 layout (2×36)",
        }
    }

    /// Whether the layout has a composite check digit (visas and the French
    /// card's national layout differ: visas have none, the French card has one).
    pub fn has_composite(self) -> bool {
        !matches!(self, MrzFormat::MrvA | MrzFormat::MrvB)
    }

    /// The layout families a reference template may declare, one per
    /// [`MrzFormat::template_name`].
    pub const FAMILIES: [MrzFormat; 5] = [MrzFormat::Td1, MrzFormat::Td2, MrzFormat::Td3, MrzFormat::MrvA, MrzFormat::MrvB];

    /// The layout family, as reference templates describe documents: the
    /// French card has a TD2 document's size and line shape, so it is `Td2`.
    pub fn family(self) -> MrzFormat {
        match self {
            MrzFormat::FrenchId => MrzFormat::Td2,
            other => other,
        }
    }

    /// The family's name in reference-library templates and fixture truth
    /// (`td1`, `td2`, `td3`, `mrv_a`, `mrv_b`).
    pub fn template_name(self) -> &'static str {
        match self.family() {
            MrzFormat::Td1 => "td1",
            MrzFormat::Td3 => "td3",
            MrzFormat::MrvA => "mrv_a",
            MrzFormat::MrvB => "mrv_b",
            MrzFormat::Td2 | MrzFormat::FrenchId => "td2",
        }
    }

    /// The family a template name stands for.
    pub fn from_template_name(name: &str) -> Option<MrzFormat> {
        MrzFormat::FAMILIES.into_iter().find(|family| family.template_name() == name)
    }

    /// Recognises the layout from already cleaned lines (same count and lengths).
    /// Returns `None` when the shape matches no layout.
    pub fn detect(lines: &[&str]) -> Option<MrzFormat> {
        let lengths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        let first = lines.first()?;
        let starts_with_v = first.starts_with('V') || first.starts_with('v');
        match lengths.as_slice() {
            [30, 30, 30] => Some(MrzFormat::Td1),
            [44, 44] => Some(if starts_with_v { MrzFormat::MrvA } else { MrzFormat::Td3 }),
            [36, 36] => {
                if starts_with_v {
                    Some(MrzFormat::MrvB)
                } else if looks_like_french_id(lines) {
                    Some(MrzFormat::FrenchId)
                } else {
                    Some(MrzFormat::Td2)
                }
            }
            _ => None,
        }
    }
}

/// The French 1988 card begins `IDFRA` and has digits where a TD2 document
/// has the three-letter nationality (line 2, positions 10–12).
fn looks_like_french_id(lines: &[&str]) -> bool {
    let Some(first) = lines.first() else { return false };
    let Some(second) = lines.get(1) else { return false };
    if !first.to_ascii_uppercase().starts_with("IDFRA") {
        return false;
    }
    let nationality_slot: String = second.chars().skip(10).take(3).collect();
    !nationality_slot.chars().all(|c| c.is_ascii_alphabetic() || c == '<')
}

#[cfg(test)]
mod tests {
    #[test]
    fn template_names_are_the_families_and_read_back() {
        for format in super::MrzFormat::ALL {
            let family = super::MrzFormat::from_template_name(format.template_name());
            assert_eq!(family, Some(format.family()), "{format:?}");
            assert_eq!(format.family().line_length(), format.line_length());
        }
        assert_eq!(super::MrzFormat::FrenchId.template_name(), "td2");
        assert_eq!(super::MrzFormat::from_template_name("french_id"), None);
        assert_eq!(super::MrzFormat::from_template_name("TD2"), None);
    }

    use super::*;

    #[test]
    fn detects_every_layout_from_shape() {
        let l30 = "I<UTOD231458907<<<<<<<<<<<<<<<";
        assert_eq!(MrzFormat::detect(&[l30, l30, l30]), Some(MrzFormat::Td1));
        let p44 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        assert_eq!(MrzFormat::detect(&[p44, p44]), Some(MrzFormat::Td3));
        let v44 = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        assert_eq!(MrzFormat::detect(&[v44, v44]), Some(MrzFormat::MrvA));
        let i36 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<";
        assert_eq!(MrzFormat::detect(&[i36, "D231458907UTO7408122F1204159<<<<<<<6"]), Some(MrzFormat::Td2));
        let fr1 = "IDFRADOUEL<<<<<<<<<<<<<<<<<<<<932013";
        let fr2 = "0506932020438CHRISTIANE<<NI2906209F3";
        assert_eq!(MrzFormat::detect(&[fr1, fr2]), Some(MrzFormat::FrenchId));
        assert_eq!(MrzFormat::detect(&[p44, l30]), None);
        assert_eq!(MrzFormat::detect(&[]), None);
    }

    #[test]
    fn french_card_reports_as_td2_in_the_contract() {
        assert_eq!(MrzFormat::FrenchId.contract_name(), "TD2");
        assert_eq!(serde_json::to_value(MrzFormat::MrvA).unwrap(), "MRVA");
    }
}
