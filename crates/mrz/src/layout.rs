//! Where every field sits in each layout (ICAO 9303 Part 4 section 4.2.2,
//! Part 5 section 4.2.2, Part 6 section 4.2.2, Part 7 sections 4.2.2 and
//! 5.2.2; the French 1988 card after its national specification as
//! documented by common readers).

use crate::fields::Span;
use crate::MrzFormat;

/// Field positions of one layout. Check digit positions are single-character spans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub document_code: Span,
    pub issuing_state: Span,
    pub document_number: Span,
    pub document_number_check: Span,
    pub birth_date: Span,
    pub birth_date_check: Span,
    pub sex: Span,
    pub expiry_date: Option<(Span, Span)>,
    pub nationality: Option<Span>,
    /// The whole name field; for the French card, the surname.
    pub names: Span,
    /// The French card's given names (its own field on line 2).
    pub given_names: Option<Span>,
    pub optional_data: Option<Span>,
    pub optional_data_check: Option<Span>,
    pub optional_data_2: Option<Span>,
    /// Composite check digit position and the spans it covers, in order.
    pub composite: Option<(Span, &'static [Span])>,
}

const fn s(line: usize, start: usize, end: usize) -> Span {
    Span::new(line, start, end)
}

const TD1_COMPOSITE: &[Span] = &[s(0, 5, 30), s(1, 0, 7), s(1, 8, 15), s(1, 18, 29)];
const TD2_COMPOSITE: &[Span] = &[s(1, 0, 10), s(1, 13, 20), s(1, 21, 35)];
const TD3_COMPOSITE: &[Span] = &[s(1, 0, 10), s(1, 13, 20), s(1, 21, 43)];
const FRENCH_COMPOSITE: &[Span] = &[s(0, 0, 36), s(1, 0, 35)];

const TD1: Layout = Layout {
    document_code: s(0, 0, 2),
    issuing_state: s(0, 2, 5),
    document_number: s(0, 5, 14),
    document_number_check: s(0, 14, 15),
    optional_data: Some(s(0, 15, 30)),
    optional_data_check: None,
    birth_date: s(1, 0, 6),
    birth_date_check: s(1, 6, 7),
    sex: s(1, 7, 8),
    expiry_date: Some((s(1, 8, 14), s(1, 14, 15))),
    nationality: Some(s(1, 15, 18)),
    optional_data_2: Some(s(1, 18, 29)),
    composite: Some((s(1, 29, 30), TD1_COMPOSITE)),
    names: s(2, 0, 30),
    given_names: None,
};

const TD2: Layout = Layout {
    document_code: s(0, 0, 2),
    issuing_state: s(0, 2, 5),
    names: s(0, 5, 36),
    given_names: None,
    document_number: s(1, 0, 9),
    document_number_check: s(1, 9, 10),
    nationality: Some(s(1, 10, 13)),
    birth_date: s(1, 13, 19),
    birth_date_check: s(1, 19, 20),
    sex: s(1, 20, 21),
    expiry_date: Some((s(1, 21, 27), s(1, 27, 28))),
    optional_data: Some(s(1, 28, 35)),
    optional_data_check: None,
    optional_data_2: None,
    composite: Some((s(1, 35, 36), TD2_COMPOSITE)),
};

const TD3: Layout = Layout {
    names: s(0, 5, 44),
    optional_data: Some(s(1, 28, 42)),
    optional_data_check: Some(s(1, 42, 43)),
    composite: Some((s(1, 43, 44), TD3_COMPOSITE)),
    ..TD2
};

const MRVA: Layout =
    Layout { optional_data: Some(s(1, 28, 44)), optional_data_check: None, composite: None, ..TD3 };

const MRVB: Layout = Layout { optional_data: Some(s(1, 28, 36)), composite: None, ..TD2 };

const FRENCH: Layout = Layout {
    document_code: s(0, 0, 2),
    issuing_state: s(0, 2, 5),
    names: s(0, 5, 30),
    optional_data: Some(s(0, 30, 36)),
    optional_data_check: None,
    document_number: s(1, 0, 12),
    document_number_check: s(1, 12, 13),
    given_names: Some(s(1, 13, 27)),
    birth_date: s(1, 27, 33),
    birth_date_check: s(1, 33, 34),
    sex: s(1, 34, 35),
    expiry_date: None,
    nationality: None,
    optional_data_2: None,
    composite: Some((s(1, 35, 36), FRENCH_COMPOSITE)),
};

/// The positions of a layout.
pub(crate) fn layout(format: MrzFormat) -> &'static Layout {
    match format {
        MrzFormat::Td1 => &TD1,
        MrzFormat::Td2 => &TD2,
        MrzFormat::Td3 => &TD3,
        MrzFormat::MrvA => &MRVA,
        MrzFormat::MrvB => &MRVB,
        MrzFormat::FrenchId => &FRENCH,
    }
}

/// Whether a TD1/TD2 document number may continue into the optional data
/// (ICAO 9303 Part 5 and Part 6, note on document numbers over 9 characters).
pub(crate) fn allows_long_document_number(format: MrzFormat) -> bool {
    matches!(format, MrzFormat::Td1 | MrzFormat::Td2)
}
