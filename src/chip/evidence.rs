//! What a chip read hands to the inspection: its checks, DG1's MRZ and the
//! decoded DG2 portrait, the same for the CLI (`inspect --chip/--emulate`) and
//! the GUI (a read done in the chip panel joins the next inspection).

use tdverify_chip::lds::{FileId, dg1};
use tdverify_chip::reader::ChipRead;
use tdverify_inspect::ChipEvidence;

use super::portrait::decode_portraits;
use super::verify::{ChipVerification, report_json};

/// The inspection's view of a verified read.
pub fn inspection_evidence(read: &ChipRead, verification: &ChipVerification) -> ChipEvidence {
    let portrait = read
        .files
        .get(&FileId::Dg(2))
        .and_then(|dg2| decode_portraits(dg2).ok())
        .and_then(|portraits| portraits.into_iter().next())
        .map(|p| p.image);
    let dg1_mrz = read.files.get(&FileId::Dg(1)).and_then(|bytes| dg1::parse(bytes).ok());
    ChipEvidence { checks: verification.checks.clone(), dg1_mrz, portrait, summary: report_json(read, verification) }
}
