//! Words of the clinical report in Spanish (the network's default) and English. Clinical content
//! from the knowledge base stays in the language it was curated in; only the frame is translated.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Es,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }
}

/// (key, Spanish, English)
const WORDS: &[(&str, &str, &str)] = &[
    ("title", "Informe molecular de leucemia linfoblástica aguda", "Acute lymphoblastic leukemia molecular report"),
    ("sample", "Muestra", "Sample"),
    ("lab", "Laboratorio", "Laboratory"),
    ("hospital", "Hospital", "Hospital"),
    ("collected", "Toma de muestra", "Collected"),
    ("received", "Recepción", "Received"),
    ("analysed", "Análisis", "Analysed"),
    ("qc", "Control de calidad", "Quality control"),
    ("qc_pass", "APROBADO", "PASS"),
    ("qc_warn", "CON ADVERTENCIAS", "WARNING"),
    ("qc_fail", "NO APROBADO: los resultados negativos no son válidos", "FAILED: negative results are not valid"),
    ("mean_depth", "Profundidad media en exones", "Mean exon depth"),
    ("summary", "Resumen", "Summary"),
    ("subtype", "Subtipo", "Subtype"),
    ("no_subtype", "No se encontró una alteración que defina subtipo", "No subtype-defining lesion found"),
    ("risk_features", "Alteraciones con valor pronóstico", "Genetic risk features"),
    ("none", "Ninguna", "None"),
    ("risk_groups", "Grupos de riesgo", "Risk groups"),
    ("provisional", "PROVISIONAL: falta", "PROVISIONAL: missing"),
    ("not_determined", "no determinado", "not determined"),
    ("actions", "Acciones", "Actions"),
    ("tki", "Terapia dirigida posible (nivel de evidencia)", "Targeted therapy options (evidence level)"),
    ("no_tki", "Sin alteración con terapia dirigida en el panel (p. ej. inhibidor de tirosina cinasa)", "No lesion with a targeted therapy found on the panel (e.g. tyrosine kinase inhibitor)"),
    ("thiopurine", "Dosis inicial de tiopurinas", "Thiopurine starting dose"),
    ("detected", "Alteraciones detectadas", "Detected lesions"),
    ("lesion", "Alteración", "Lesion"),
    ("detail", "Detalle", "Detail"),
    ("evidence", "Evidencia", "Evidence"),
    ("prognosis", "Pronóstico", "Prognosis"),
    ("tier", "Nivel AMP/ASCO/CAP", "AMP/ASCO/CAP tier"),
    ("implications", "Implicaciones", "Implications"),
    ("unverified", "pendiente de verificación en la fuente", "pending verification against its source"),
    ("none_detected", "No se detectaron alteraciones de la base de conocimiento.", "No knowledge-base lesion was detected."),
    ("not_detected", "Analizado y no detectado", "Tested and not detected"),
    ("target", "Blanco", "Target"),
    ("depth", "Profundidad", "Depth"),
    ("lod", "Límite de detección (VAF)", "Limit of detection (VAF)"),
    ("status", "Estado", "Status"),
    ("pgx", "Farmacogenética (TPMT/NUDT15)", "Pharmacogenomics (TPMT/NUDT15)"),
    ("gene", "Gen", "Gene"),
    ("diplotype", "Diplotipo", "Diplotype"),
    ("phenotype", "Fenotipo", "Phenotype"),
    ("drug", "Fármaco", "Drug"),
    ("recommendation", "Recomendación (CPIC)", "Recommendation (CPIC)"),
    ("caveats", "Advertencias", "Caveats"),
    ("coverage", "Cobertura por gen", "Coverage per gene"),
    ("fusion_diagrams", "Fusiones detectadas", "Detected fusions"),
    ("methods", "Métodos, limitaciones y trazabilidad", "Methods, limitations and provenance"),
    ("methods_text", "Secuenciación dirigida de un panel de genes de LLA; variantes puntuales e indels, fusiones (ADN/ARN), deleciones a nivel de exón, señal de ploidía y genes farmacogenéticos, analizados por puente.", "Targeted sequencing of an ALL gene panel; point variants and indels, fusions (DNA/RNA), exon-level deletions, ploidy signal and pharmacogenes, analysed by puente."),
    ("limitations", "Solo se analizan las regiones del panel. Un resultado negativo vale para las posiciones con profundidad suficiente y por encima del límite de detección indicado. Las variantes germinales deben confirmarse en una muestra no tumoral. Los grupos de riesgo dependen de las reglas indicadas y de los datos clínicos proporcionados.", "Only the panel's regions are analysed. A negative result holds where depth suffices and above the stated limit of detection. Germline variants must be confirmed on a non-tumour sample. Risk groups depend on the stated rules and the clinical data provided."),
    ("software", "Programa", "Software"),
    ("panel", "Panel", "Panel"),
    ("reference", "Referencia", "Reference"),
    ("input", "Archivo de entrada", "Input file"),
    ("rules", "Reglas de riesgo", "Risk rules"),
    ("kb", "Base de conocimiento", "Knowledge base"),
    ("warnings", "Avisos", "Warnings"),
    ("split", "lecturas divididas", "split reads"),
    ("spanning", "pares que abarcan", "spanning pairs"),
    ("min_depth", "profundidad mínima", "minimum depth"),
    ("inputs", "Datos clínicos", "Clinical inputs"),
    ("copy_number", "número de copias", "copy number"),
    ("exons", "exones", "exons"),
    ("ploidy", "Señal de ploidía", "Ploidy signal"),
];

/// The word for `key`; the key itself if it has none (visible in review, never a panic).
/// Inline wording for pages outside the clinical report's vocabulary table.
pub fn tr(lang: Lang, es: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Es {
        es
    } else {
        en
    }
}

pub fn t(lang: Lang, key: &str) -> &str {
    WORDS
        .iter()
        .find(|w| w.0 == key)
        .map(|w| if lang == Lang::Es { w.1 } else { w.2 })
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<&str> = WORDS.iter().map(|w| w.0).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), WORDS.len());
        for (k, es, en) in WORDS {
            assert!(!es.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(t(Lang::Es, "sample"), "Muestra");
        assert_eq!(t(Lang::En, "sample"), "Sample");
    }
}
