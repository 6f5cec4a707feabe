//! The commune's monthly report as the Word file it signs and sends: header, title, sections
//! I–IV (the dossier paragraph written from its figures), closing sentence, recipients and the
//! chair's signature.

use cchc_domain::UnitLevel;
use cchc_domain::official_report::{self as words, commune};

use super::{BODY, blank, block, closing, document, national_header, pack, text, title};
use crate::app::official_documents::CommuneDocument;
use crate::error::ApiResult;

pub fn docx(d: &CommuneDocument) -> ApiResult<Vec<u8>> {
    let kind = words::kind_of(&d.unit_name, UnitLevel::Commune);
    let place = words::place_name(&d.unit_name);
    let issuer = words::upper(&format!("{kind} {place}"));
    let issuer = [("ỦY BAN NHÂN DÂN", true), (issuer.as_str(), true)];
    let header = national_header(&issuer, "Số: …/BC-UBND", &words::dated(place, d.dated));
    let mut doc = document().add_table(header);
    for p in title(&commune::title(d.month)) {
        doc = doc.add_paragraph(p);
    }
    for b in commune::body(&d.narrative, &d.values, d.month, &kind) {
        doc = doc.add_paragraph(block(&b));
    }
    doc = doc.add_paragraph(text(&commune::closing(d.month, &kind, place))).add_paragraph(blank(BODY));
    let recipients = commune::recipients(d.reports_to.as_deref(), &kind);
    doc = doc.add_table(closing(&recipients, &commune::SIGNATURE, d.signatory.as_deref()));
    pack(doc)
}

/// The file's base name: `bao-cao-cchc-07273-2024-06`.
pub fn file_name(d: &CommuneDocument) -> String {
    format!("bao-cao-cchc-{}-{}", d.unit_code, d.month)
}
