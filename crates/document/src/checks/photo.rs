//! Photo-zone integrity: signs that the holder's portrait was replaced.
//!
//! A portrait printed or engraved by the issuer is part of the document: it
//! stays dull under UV like the substrate and, where the template declares it
//! IR-absorbing, stays dark in IR. A photograph glued over it is on photo paper
//! (optical brighteners: it glows under UV) printed with dye inks (it fades in
//! IR). Both are measured relative to the page itself and to white light.

use image::RgbImage;
use serde::Serialize;
use tdverify_core::{Check, CheckStatus, Light, Rect};

use super::{PageContext, pct};
use crate::reference::{UvSubstrate, ZoneKind};
use crate::register::rectify_rect;

/// Resolution of the portrait crops handed to the face models (about 300
/// dpi): a 16 mm ghost image becomes 192 pixels wide, enough for the detector
/// to find its face and for the aligned 112-pixel crop to keep the eyes.
pub const PORTRAIT_PX_PER_MM: f32 = 12.0;

/// One copy of the holder's portrait the template declares (the primary photo,
/// the ghost image, the UV and IR copies), cut out of the capture of the light
/// that shows it and turned upright, for the face stage to compare.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortraitCopy {
    /// Which copy: `photo`, `ghost_image`, `uv_portrait` or `ir_portrait`.
    pub kind: ZoneKind,
    /// The template zone's name.
    pub zone: String,
    /// The light it was cut from.
    pub light: Light,
    /// Where the zone is on that capture (evidence).
    pub region: Rect,
    /// The document side (0: the side inspected first; 1: the other side of a card).
    pub page: u8,
    /// The capture's own resolution over the page (pixels per millimetre): a
    /// crop upsampled from a coarse photograph holds less detail than its size says.
    pub capture_px_per_mm: f32,
    /// The zone, upright, at [`PORTRAIT_PX_PER_MM`] (shown and compared, not saved).
    #[serde(skip)]
    pub image: RgbImage,
}

/// The light that shows a portrait copy of this kind; `None` for other zones.
pub fn copy_light(kind: ZoneKind) -> Option<Light> {
    match kind {
        ZoneKind::Photo | ZoneKind::GhostImage => Some(Light::White),
        ZoneKind::UvPortrait => Some(Light::Uv),
        ZoneKind::IrPortrait => Some(Light::Ir),
        _ => None,
    }
}

/// The portrait copies of the side, each from its own light's capture: the
/// photo zone and the ghost image under white light, UV and IR copies under
/// theirs. `images` are the decoded captures (the crops are taken from them,
/// not from the coarser rectified page). A copy whose light was not captured
/// or registered is left out.
pub fn portrait_copies(ctx: &PageContext<'_>, images: &[(Light, RgbImage)]) -> Vec<PortraitCopy> {
    ctx.side
        .zones
        .iter()
        .filter_map(|zone| {
            let light = copy_light(zone.kind)?;
            let page = ctx.light(light)?;
            let (_, image) = images.iter().find(|(l, _)| *l == light)?;
            Some(PortraitCopy {
                kind: zone.kind,
                zone: zone.name.clone(),
                light,
                region: page.registration.region(&zone.rect_mm),
                page: 0,
                capture_px_per_mm: page.registration.px_per_mm,
                image: rectify_rect(image, &page.registration, &zone.rect_mm, PORTRAIT_PX_PER_MM),
            })
        })
        .collect()
}

/// `photo.integrity`.
pub fn integrity(ctx: &PageContext<'_>) -> Check {
    const ID: &str = "photo.integrity";
    let Some(zone) = ctx.side.first_zone_of(ZoneKind::Photo) else {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "This side has no photo zone.",
        );
    };
    let rect = zone.rect_mm;
    // Shrink a little: the border belongs to the surrounding print.
    let inner = crate::reference::RectMm {
        x: rect.x + 1.0,
        y: rect.y + 1.0,
        w: (rect.w - 2.0).max(1.0),
        h: (rect.h - 2.0).max(1.0),
    };
    let mut signs = Vec::new();
    let mut measured = Vec::new();
    let mut evidence = Vec::new();
    if let Some(uv) = ctx.uv.as_ref() {
        let mut values = uv.luma_in(&inner, &[]);
        let photo_level = super::median(&mut values);
        let substrate = uv.substrate_luma.max(1.0);
        let paper_dull = ctx.side.uv.substrate == UvSubstrate::Dull;
        let line = format!(
            "photo under UV {:.0}/255 against substrate {:.0}/255",
            photo_level, substrate
        );
        evidence.push(uv.evidence(&rect).with_detail(line.clone()));
        if paper_dull && photo_level > substrate + 40.0 && photo_level > 1.6 * substrate {
            signs.push(format!(
                "the photo glows under UV like photo paper ({line})"
            ));
        } else {
            measured.push(line);
        }
    }
    // A photo that fades in IR only means substitution when the rest of the
    // issuer's print absorbs IR; otherwise the whole document lacks IR ink
    // (a counterfeit, which ir.b900 and ir.zones report).
    let issuer_print_absorbs = ctx.mrz_zone().is_some_and(|mrz| {
        ctx.side.ir.mrz_b900
            && ctx
                .ir
                .as_ref()
                .and_then(|ir| ir.ink_contrast(&mrz.rect_mm, &[]))
                .is_some_and(|c| c >= 0.45)
    }) || ctx
        .side
        .ir
        .absorbing
        .iter()
        .filter(|name| *name != &zone.name)
        .any(|name| {
            let (Some(z), Some(ir), Some(white)) =
                (ctx.side.zone(name), ctx.ir.as_ref(), ctx.white.as_ref())
            else {
                return false;
            };
            match (
                white.ink_coverage(&z.rect_mm, &[], 0.55),
                ir.ink_coverage(&z.rect_mm, &[], 0.55),
            ) {
                (Some(w), Some(i)) => w >= 0.01 && i >= 0.5 * w,
                _ => false,
            }
        });
    if let (Some(ir), Some(white)) = (ctx.ir.as_ref(), ctx.white.as_ref())
        && issuer_print_absorbs
        && ctx.side.absorbs_ir(&zone.name)
        && let (Some(w), Some(i)) = (
            white.ink_contrast(&inner, &[]),
            ir.ink_contrast(&inner, &[]),
        )
        && w >= 0.3
    {
        let line = format!(
            "photo contrast in IR {} against {} in white light (declared IR-absorbing)",
            pct(i),
            pct(w)
        );
        evidence.push(ir.evidence(&rect).with_detail(line.clone()));
        if i < 0.5 * w && i < 0.45 {
            signs.push(format!(
                "the photo fades in IR, unlike the issuer's print ({line})"
            ));
        } else {
            measured.push(line);
        }
    }
    if signs.is_empty() && measured.is_empty() {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "Needs a UV or IR capture to examine the photo zone.",
        );
    }
    if signs.is_empty() {
        let mut check = Check::pass(
            ID,
            format!("No sign of photo substitution: {}.", measured.join("; ")),
        );
        check.evidence = evidence;
        return check;
    }
    let confidence = if signs.len() >= 2 { 0.95 } else { 0.8 };
    let mut check = Check::fail(
        ID,
        format!(
            "Possible photo substitution: {}. Examine the photo edges and laminate.",
            signs.join("; ")
        ),
    )
    .with_confidence(confidence);
    check.evidence = evidence;
    check
}
