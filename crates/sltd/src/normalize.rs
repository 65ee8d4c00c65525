//! What is hashed: the document as the MRZ states it. The same document must give the
//! same key whether the number came from the MRZ, the chip's DG1 or an officer typing it.

/// A document number as the MRZ prints it: upper case, letters and digits only (fillers,
/// spaces and hyphens dropped).
pub fn normalize_number(number: &str) -> String {
    number.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// An issuing state code: upper case, fillers dropped (`D<<` → `D`).
pub fn normalize_state(state: &str) -> String {
    state.trim().trim_end_matches('<').chars().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase()).collect()
}

/// A document type: the first letter of the ICAO document code (`P`, `I`, `A`, `C`, `V`).
pub fn normalize_type(code: &str) -> String {
    code.trim().chars().find(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase().to_string()).unwrap_or_default()
}

/// The identity of a document on the hotlist.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentKey {
    /// Document type letter.
    pub doc_type: String,
    /// Issuing state code.
    pub state: String,
    /// Document number.
    pub number: String,
}

impl DocumentKey {
    /// A key from raw values, normalised.
    pub fn new(doc_type: &str, state: &str, number: &str) -> DocumentKey {
        DocumentKey { doc_type: normalize_type(doc_type), state: normalize_state(state), number: normalize_number(number) }
    }

    /// Whether the key can be looked up (every part present).
    pub fn is_complete(&self) -> bool {
        !self.doc_type.is_empty() && !self.state.is_empty() && !self.number.is_empty()
    }

    /// The bytes that are hashed.
    pub(crate) fn message(&self) -> String {
        format!("tdverify-sltd/v1|{}|{}|{}", self.doc_type, self.state, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_the_same_document_give_the_same_key() {
        assert_eq!(DocumentKey::new("P<", "D<<", "c01x-00t4 7"), DocumentKey::new("PO", "D", "C01X00T47"));
        assert_eq!(normalize_number("L898902C<"), "L898902C");
        assert_eq!(normalize_type("ID"), "I");
        assert!(!DocumentKey::new("", "UTO", "1").is_complete());
    }
}
