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

/// Reads the virtual eMRTD in `folder` (a fixture document's own chip: demo, training)
/// with the key from `printed_mrz` (the MRZ text as printed), verifies it against `csca`
/// and returns what the inspection needs. A chip that refuses the key (an altered MRZ
/// gives the wrong key) is evidence (`chip.access`), not an error; a dataset that cannot
/// be loaded or an MRZ that gives no key is.
pub fn emulated_evidence(
    folder: &std::path::Path,
    printed_mrz: &str,
    csca: &tdverify_pki::CscaStore,
) -> Result<ChipEvidence, String> {
    use super::{session, verify};
    let (key, printed) = session::key_from_mrz_text(printed_mrz).map_err(|e| e.officer_message())?;
    let dataset =
        tdverify_chip::emulator::ChipDataset::load(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let chip = tdverify_chip::emulator::VirtualChip::new(dataset);
    let read = match session::read_chip(
        session::ChipSource::Emulator(Box::new(chip)),
        key,
        session::SessionOptions::default(),
        &mut |_| {},
    ) {
        Ok(read) => read,
        Err(e) => {
            let error = e.into_read_error();
            let summary = verify::failure_json(&error);
            let checks = tdverify_chip::checks::checks(&Err(error), Default::default());
            return Ok(ChipEvidence { checks, dg1_mrz: None, portrait: None, summary });
        }
    };
    let verification = verify::verify_read(&read, Some(&printed), csca, tdverify_pki::now_unix());
    Ok(inspection_evidence(&read, &verification))
}
