//! Infrared checks: the MRZ must be printed in IR-absorbing ink (ICAO 9303
//! Part 3: the MRZ is read in the B900 band, 900 ± 50 nm, with a print contrast
//! signal of at least 60 %), and data zones must absorb or vanish in IR as the
//! template declares. Dye inks of office printers vanish in IR while carbon
//! inks and engraved data stay dark, so an altered field or a counterfeit shows.
//!
//! Contrast is measured relative to the same zone under white light, so a zone
//! that holds no ink at all is not mistaken for a transparent one.

use tdverify_core::{Check, CheckStatus};

use super::{PageContext, pct};
use crate::reference::{RectMm, ZoneKind};

/// Minimum MRZ print contrast signal in IR (ICAO 9303 Part 3, B900 band: PCS ≥ 60 %).
pub const B900_MIN_PCS: f32 = 0.60;

/// A zone holds print worth judging when dark print covers this much of it in white light.
const MIN_WHITE_COVERAGE: f32 = 0.01;

/// Dark print: darker than this fraction of the substrate.
const DARK_FACTOR: f32 = 0.55;

/// An absorbing zone keeps at least this share of its white-light dark print in IR.
const ABSORBING_MIN_RATIO: f32 = 0.3;

/// A transparent zone keeps at most this share of its white-light dark print in IR.
const TRANSPARENT_MAX_RATIO: f32 = 0.6;

/// Dark-print coverage of a zone in white light and in IR, when the zone holds print.
fn coverages(
    white: &super::LightPage,
    ir: &super::LightPage,
    rect: &RectMm,
    exclude: &[RectMm],
) -> Option<(f32, f32)> {
    let w = white.ink_coverage(rect, exclude, DARK_FACTOR)?;
    let i = ir.ink_coverage(rect, exclude, DARK_FACTOR)?;
    (w >= MIN_WHITE_COVERAGE).then_some((w, i))
}

/// `ir.b900`: the MRZ stays dark under IR.
pub fn b900(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "ir.b900";
    let Some(zone) = ctx.mrz_zone() else {
        return Check::new(ID, CheckStatus::NotApplicable, "This side carries no MRZ.");
    };
    if !ctx.side.ir.mrz_b900 {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template does not declare an IR-absorbing MRZ.",
        );
    }
    let Some(ir) = ctx.ir.as_ref() else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "No IR capture: take an IR image to check the MRZ ink.",
        );
    };
    let Some(ir_pcs) = ir.ink_contrast(&zone.rect_mm, &[]) else {
        return Check::new(
            ID,
            CheckStatus::Error,
            "The MRZ zone falls outside the IR capture.",
        );
    };
    let white_pcs = ctx
        .white
        .as_ref()
        .and_then(|w| w.ink_contrast(&zone.rect_mm, &[]));
    let detail = format!(
        "MRZ print contrast in IR {} (ICAO minimum {}){}",
        pct(ir_pcs),
        pct(B900_MIN_PCS),
        white_pcs
            .map(|w| format!(", under white light {}", pct(w)))
            .unwrap_or_default()
    );
    let evidence = ir.evidence(&zone.rect_mm).with_detail(detail.clone());
    // Camera optics and blur lower every contrast, so a capture that shows
    // the MRZ about as dark in IR as in white light passes even when both fall
    // under the ICAO value, which is defined for the printed document.
    let keeps_white_contrast = white_pcs.is_some_and(|w| ir_pcs >= 0.75 * w);
    if ir_pcs >= B900_MIN_PCS || keeps_white_contrast {
        return Check::pass(ID, format!("MRZ visible in IR: {detail}.")).with_evidence(evidence);
    }
    if white_pcs.is_some_and(|w| w >= 0.35 && ir_pcs < 0.6 * w) {
        let confidence = (1.0 - ir_pcs / B900_MIN_PCS).clamp(0.5, 1.0);
        return Check::fail(
            ID,
            format!("MRZ fades under IR: not printed in IR-absorbing ink. {detail}."),
        )
        .with_confidence(confidence)
        .with_evidence(evidence);
    }
    Check::warn(
        ID,
        format!(
            "MRZ contrast is low under both lights; recapture before judging the ink. {detail}."
        ),
    )
    .with_confidence(0.5)
    .with_evidence(evidence)
}

/// `ir.zones`: each declared zone absorbs (stays dark) or is transparent
/// (vanishes) under IR as the template says.
pub fn zones(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "ir.zones";
    let (Some(ir), Some(white)) = (ctx.ir.as_ref(), ctx.white.as_ref()) else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "Needs both a white-light and an IR capture.",
        );
    };
    let side = ctx.side;
    if side.ir.absorbing.is_empty() && side.ir.transparent.is_empty() && !side.ir.mrz_b900 {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares no IR behaviour for this side.",
        );
    }
    // Absorbing zones: declared ones plus the MRZ when B900.
    let mut absorbing: Vec<&crate::reference::Zone> = side
        .ir
        .absorbing
        .iter()
        .filter_map(|name| side.zone(name))
        .collect();
    if side.ir.mrz_b900
        && let Some(mrz) = side.mrz_zone()
        && !absorbing.iter().any(|z| z.name == mrz.name)
    {
        absorbing.push(mrz);
    }
    let absorbing_rects: Vec<RectMm> = absorbing.iter().map(|z| z.rect_mm).collect();
    let mut failures = Vec::new();
    let mut judged = 0usize;
    let mut evidence = Vec::new();
    for zone in &absorbing {
        // Portraits are continuous tone, not solid print: compare how dark
        // their darkest parts are rather than how much dark print they hold.
        let measured = if matches!(zone.kind, ZoneKind::Photo | ZoneKind::GhostImage) {
            match (
                white.ink_contrast(&zone.rect_mm, &[]),
                ir.ink_contrast(&zone.rect_mm, &[]),
            ) {
                (Some(w), Some(i)) if w >= 0.3 => Some((w, i, i < 0.5 * w && i < 0.45)),
                _ => None,
            }
        } else {
            coverages(white, ir, &zone.rect_mm, &[])
                .map(|(w, i)| (w, i, i < ABSORBING_MIN_RATIO * w))
        };
        let Some((w, i, fades)) = measured else {
            continue;
        };
        judged += 1;
        if fades {
            failures.push(format!(
                "{} does not absorb IR (dark print covers {} of it in IR, {} in white light; expected about the same)",
                zone.name,
                pct(i),
                pct(w)
            ));
            evidence.push(ir.evidence(&zone.rect_mm).with_detail(format!(
                "{}: IR ink {}, white ink {}",
                zone.name,
                pct(i),
                pct(w)
            )));
        }
    }
    for name in &side.ir.transparent {
        let Some(zone) = side.zone(name) else {
            continue;
        };
        if matches!(zone.kind, ZoneKind::Ovd) {
            continue; // OVDs reflect: their IR look depends on the lamp angle.
        }
        let Some((w, i)) = coverages(white, ir, &zone.rect_mm, &absorbing_rects) else {
            continue;
        };
        judged += 1;
        if i > TRANSPARENT_MAX_RATIO * w && i > 0.01 {
            failures.push(format!(
                "{} stays dark in IR (dark print covers {} in IR, {} in white; expected to vanish)",
                zone.name,
                pct(i),
                pct(w)
            ));
            evidence.push(ir.evidence(&zone.rect_mm).with_detail(format!(
                "{}: IR ink {}, white ink {}",
                zone.name,
                pct(i),
                pct(w)
            )));
        }
    }
    if judged == 0 {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "No declared IR zone holds visible print to judge.",
        );
    }
    if failures.is_empty() {
        return Check::pass(
            ID,
            format!("All {judged} declared IR zones absorb or vanish as the template says."),
        );
    }
    let mut check = Check::fail(
        ID,
        format!(
            "IR behaviour differs from the template: {}.",
            failures.join("; ")
        ),
    )
    .with_confidence(0.85);
    check.evidence = evidence;
    check
}

#[cfg(test)]
mod tests {
    #[test]
    fn icao_pcs_is_sixty_percent() {
        assert!((super::B900_MIN_PCS - 0.6).abs() < f32::EPSILON);
    }
}
