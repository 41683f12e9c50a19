//! One sample end to end: ingest checks -> QC -> report files. Callers (batch, CLI) own scheduling.
use crate::error::{Error, Result};
use crate::ingest::reads::ReadFilter;
use crate::ingest::{AlignmentInput, Reference};
use crate::model::{InputFile, Provenance, ReferenceRef, SampleInfo, Verdict};
use crate::panel::Panel;
use crate::report::{self, Methods, ModuleStatus, Report};
use std::path::{Path, PathBuf};

/// What a sample's reads come as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleInput {
    /// Coordinate-sorted BAM or CRAM.
    Alignment(PathBuf),
    /// Paired FASTQ, aligned into the sample's output directory first (`ID.bam`).
    Fastq { r1: PathBuf, r2: PathBuf },
}

impl SampleInput {
    /// Input files with their provenance roles, in the order the report lists them.
    pub fn files(&self) -> Vec<(&'static str, &Path)> {
        match self {
            SampleInput::Alignment(p) => vec![("alignment", p)],
            SampleInput::Fastq { r1, r2 } => vec![("fastq_1", r1), ("fastq_2", r2)],
        }
    }

    /// sha256 of each input file, in [`files`](Self::files) order.
    pub fn sha256s(&self) -> Result<Vec<String>> {
        self.files()
            .iter()
            .map(|(_, p)| crate::util::sha256_file(p))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub input: SampleInput,
    /// Cache of minimap2 indexes, for FASTQ input.
    pub index_dir: PathBuf,
    pub sample: SampleInfo,
    /// Sample output directory (`OUT/ID`).
    pub out_dir: PathBuf,
    pub threads: usize,
    pub filter: ReadFilter,
    pub command_line: Vec<String>,
    /// Panel of normals for copy number (None: within-sample fallback).
    pub pon: Option<PathBuf>,
    /// Extra transcript models to name calls on besides the pinned ones.
    pub transcripts: Option<PathBuf>,
    /// Risk rules replacing the panel's risk.toml.
    pub rules: Option<PathBuf>,
    /// Language of report.html.
    pub lang: crate::report::i18n::Lang,
    /// Date recorded in the provenance (`util::analysis_date`); None leaves it out.
    pub analysis_date: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct RunOutcome {
    pub sample_id: String,
    pub verdict: Verdict,
    pub report: PathBuf,
    pub mean_exon_depth: f64,
    pub input_sha256: String,
}

/// MD5 of every panel contig in the reference (provenance). Hashing a whole genome takes seconds, so
/// the result is cached in `cache_dir/.puente-reference-md5.json`, keyed by the reference's path,
/// size and modification time; a changed reference is hashed again.
pub fn reference_ref(
    reference: &Reference,
    panel: &Panel,
    build: &str,
    cache_dir: &Path,
) -> Result<ReferenceRef> {
    let cache = cache_dir.join(".puente-reference-md5.json");
    let key = reference.identity();
    if let (Some(k), Ok(text)) = (&key, std::fs::read_to_string(&cache)) {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if v["key"].as_str() == Some(k) {
                if let Ok(r) = serde_json::from_value::<ReferenceRef>(v["reference"].clone()) {
                    if r.build == build
                        && panel.contigs().iter().all(|c| {
                            r.contig_md5.keys().any(|k| {
                                crate::ingest::build::canonical(k)
                                    == crate::ingest::build::canonical(c)
                            })
                        })
                    {
                        return Ok(r);
                    }
                }
            }
        }
    }
    let r = compute_reference_ref(reference, panel, build)?;
    if let Some(k) = key {
        std::fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
        crate::util::write_atomic(
            &cache,
            &crate::util::to_json(&serde_json::json!({"key": k, "reference": r})),
        )?;
    }
    Ok(r)
}

fn compute_reference_ref(
    reference: &Reference,
    panel: &Panel,
    build: &str,
) -> Result<ReferenceRef> {
    let names: Vec<String> = reference.contigs.iter().map(|(n, _)| n.clone()).collect();
    let mut used = Vec::new();
    for c in panel.contigs() {
        let name =
            crate::ingest::build::resolve_contig(&c, &names).ok_or_else(|| Error::Reference {
                path: reference.path.clone(),
                reason: format!(
                    "panel contig {c} is missing from the reference (wrong build or naming?)"
                ),
            })?;
        used.push(name.to_string());
    }
    let contig_md5 = reference.contig_md5_many(&used)?;
    Ok(ReferenceRef {
        path: reference.path.display().to_string(),
        build: build.to_string(),
        contig_md5,
    })
}

/// Check that the reference is the panel's build (by contig names and lengths) and that the
/// panel's transcript models and hotspot alleles agree with its sequence.
pub fn check_reference(reference: &Reference, panel: &Panel) -> Result<()> {
    let ev = crate::ingest::build::detect(reference.contigs.iter().map(|(n, l)| (n.as_str(), *l)));
    if ev.build != panel.build() {
        return Err(Error::BuildMismatch {
            path: reference.path.clone(),
            found: ev.describe(),
            expected: panel.manifest.panel.build.clone(),
            panel: panel.manifest.panel.name.clone(),
        });
    }
    let seq = crate::annotate::ReferenceSequence::new(reference);
    let problems = crate::annotate::reference_problems(panel, &seq);
    if !problems.is_empty() {
        return Err(Error::Reference {
            path: reference.path.clone(),
            reason: format!(
                "panel {} does not match this reference ({} problem{}): {}",
                panel.manifest.panel.name,
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                problems.join("; ")
            ),
        });
    }
    Ok(())
}

/// Alignment already done for a sample: the BAM's checksum and what made it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct AlignRecord {
    puente_version: String,
    reference: String,
    fastq_sha256: Vec<String>,
    bam_sha256: String,
    stats: crate::ingest::align::AlignStats,
}

/// Align FASTQ input into `OUT/ID/ID.bam` (+ `.bai`), or reuse the BAM an earlier run made from the
/// same files, reference and puente version (`ID.align.json`), so a resumed batch does not align twice.
fn align_sample(
    opts: &RunOptions,
    reference: &Reference,
    r1: &Path,
    r2: &Path,
    fastq_sha256: &[String],
    on_stage: &(dyn Fn(&str) + Sync),
) -> Result<(PathBuf, (crate::ingest::align::AlignStats, String))> {
    use crate::ingest::align::{self, index::Preset};
    let id = &opts.sample.sample_id;
    let bam = opts.out_dir.join(format!("{id}.bam"));
    let record_path = opts.out_dir.join(format!("{id}.align.json"));
    let preset = match opts.sample.library.as_deref().map(str::trim) {
        Some("rna") => Preset::Rna,
        _ => Preset::Dna,
    };
    let want = |stats: align::AlignStats, bam_sha256: String| AlignRecord {
        puente_version: crate::VERSION.into(),
        reference: reference.identity().unwrap_or_default(),
        fastq_sha256: fastq_sha256.to_vec(),
        bam_sha256,
        stats,
    };
    if let Some(prev) = std::fs::read_to_string(&record_path)
        .ok()
        .and_then(|t| serde_json::from_str::<AlignRecord>(&t).ok())
    {
        let bai = PathBuf::from(format!("{}.bai", bam.display()));
        if bai.is_file()
            && prev.stats.preset == preset.minimap2_name()
            && crate::util::sha256_file(&bam).ok().as_ref() == Some(&prev.bam_sha256)
            && prev == want(prev.stats.clone(), prev.bam_sha256.clone())
        {
            return Ok((bam, (prev.stats, prev.bam_sha256)));
        }
    }
    let aopts = align::AlignOptions {
        fastq1: r1.into(),
        fastq2: r2.into(),
        out: bam.clone(),
        read_group: crate::model::ReadGroup {
            id: id.clone(),
            sample: Some(id.clone()),
            library: Some(id.clone()),
            center: opts.sample.lab_id.clone(),
            platform: Some("ILLUMINA".into()),
        },
        preset,
        index_dir: opts.index_dir.clone(),
        threads: opts.threads,
        command_line: opts.command_line.clone(),
        chunk_pairs: align::DEFAULT_CHUNK_PAIRS,
    };
    on_stage("align");
    let stats = align::align(&aopts, reference)?;
    let sha = crate::util::sha256_file(&bam)?;
    crate::util::write_atomic(
        &record_path,
        &crate::util::to_json(&want(stats.clone(), sha.clone())),
    )?;
    Ok((bam, (stats, sha)))
}

pub fn run_sample(
    opts: &RunOptions,
    panel: &Panel,
    reference: &Reference,
    reference_ref: &ReferenceRef,
    on_stage: &(dyn Fn(&str) + Sync),
) -> Result<RunOutcome> {
    let id = &opts.sample.sample_id;
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| Error::io(&opts.out_dir, e))?;
    let input_shas = opts.input.sha256s()?;
    let (alignment, align_stats) = match &opts.input {
        SampleInput::Alignment(p) => (p.clone(), None),
        SampleInput::Fastq { r1, r2 } => {
            let (bam, stats) = align_sample(opts, reference, r1, r2, &input_shas, on_stage)?;
            (bam, Some(stats))
        }
    };
    on_stage("ingest");
    let input = AlignmentInput::open(
        &alignment,
        Some(reference),
        &opts.out_dir.join("index"),
        opts.threads,
    )?;
    input.check_build(panel)?;
    on_stage("qc");
    let qc = crate::qc::run(&input, panel, &opts.filter, opts.threads)?;
    // the panel of normals serves copy number and the small-variant artefact sites
    let pon = opts
        .pon
        .as_deref()
        .map(|p| load_pon(p, panel))
        .transpose()?;
    on_stage("small variants");
    let mut call_opts = crate::call::small::CallOptions {
        filter: opts.filter,
        ..Default::default()
    };
    if let Some((pon, _)) = &pon {
        call_opts = call_opts.with_pon(pon);
    }
    let small = crate::call::small::call(&input, reference, panel, &call_opts)?;
    on_stage("fusions");
    let library = match opts.sample.library.as_deref().map(str::trim) {
        None | Some("") | Some("auto") => None,
        Some(l) => Some(crate::model::Library::parse(l).ok_or_else(|| {
            Error::input(
                &alignment,
                format!("library {l:?} for sample {id} is not dna, rna or auto"),
            )
        })?),
    };
    let fusion_opts = crate::call::fusion::FusionOptions {
        library,
        min_mapq: opts.filter.min_mapq,
        ..Default::default()
    };
    let fusions = crate::call::fusion::call(&input, reference, panel, &fusion_opts)?;
    on_stage("copy number");
    let cnv_opts = crate::call::cnv::CnvOptions::default();
    let cnv = copy_number(
        opts,
        panel,
        reference,
        &qc,
        &small,
        &fusions.deletion_junctions,
        pon.as_ref(),
        &cnv_opts,
    )?;
    on_stage("annotation");
    let seq = crate::annotate::ReferenceSequence::new(reference);
    let extra = opts
        .transcripts
        .as_deref()
        .map(|p| load_transcripts(p, panel, reference))
        .transpose()?;
    let annotator = crate::annotate::Annotator::new(panel, &seq)
        .with_extra(extra.as_ref().map(|e| e.0.clone()).unwrap_or_default());
    let annotations: Vec<crate::model::VariantAnnotation> = small
        .variants
        .iter()
        .map(|v| annotator.annotate(&v.id, &v.chrom, v.pos, &v.reference, &v.alt))
        .collect();
    let findings =
        panel
            .knowledge_base
            .findings(&small.variants, &annotations, &fusions.calls, &cnv);
    let pgx = panel.pgx.call(&small.hotspots);
    let custom_rules = opts
        .rules
        .as_deref()
        .map(|p| load_rules(p, panel))
        .transpose()?;
    let risk =
        custom_rules
            .as_ref()
            .unwrap_or(&panel.risk)
            .assess(&opts.sample, &findings, qc.verdict);
    on_stage("report");
    let input_sha = input_shas[0].clone();
    let mut warnings = Vec::new();
    if input.index_built {
        warnings.push(format!(
            "no index beside {}; one was built in {}",
            alignment.display(),
            input.index.display()
        ));
    }
    if let Some(rg_sample) = input
        .read_groups
        .iter()
        .filter_map(|r| r.sample.as_deref())
        .find(|s| s != id)
    {
        warnings.push(format!("read group sample name {rg_sample:?} differs from sample ID {id:?}: check for a sample swap"));
    }
    warnings.extend(small.warnings.iter().cloned());
    warnings.extend(fusions.warnings.iter().cloned());
    warnings.extend(cnv.warnings.iter().cloned());
    let provenance = Provenance {
        puente_version: crate::VERSION.into(),
        command_line: opts.command_line.clone(),
        panel: panel.reference(),
        reference: reference_ref.clone(),
        inputs: opts
            .input
            .files()
            .into_iter()
            .zip(&input_shas)
            .map(|((role, p), sha)| InputFile {
                role: role.into(),
                path: p.display().to_string(),
                sha256: sha.clone(),
            })
            .chain(align_stats.as_ref().map(|(_, sha)| InputFile {
                role: "alignment".into(),
                path: alignment.display().to_string(),
                sha256: sha.clone(),
            }))
            .chain(
                extra
                    .iter()
                    .zip(&opts.transcripts)
                    .map(|((_, sha), p)| InputFile {
                        role: "transcripts".into(),
                        path: p.display().to_string(),
                        sha256: sha.clone(),
                    }),
            )
            .chain(
                custom_rules
                    .iter()
                    .zip(&opts.rules)
                    .map(|(r, p)| InputFile {
                        role: "risk_rules".into(),
                        path: p.display().to_string(),
                        sha256: r.reference.sha256.clone(),
                    }),
            )
            .collect(),
        read_groups: input.read_groups.clone(),
        analysis_date: opts.analysis_date.clone(),
    };
    let modules = [
        "qc",
        "small_variants",
        "fusions",
        "copy_number",
        "pgx",
        "annotation",
        "risk",
    ]
    .iter()
    .map(|m| ModuleStatus {
        module: m.to_string(),
        status: "done".into(),
    })
    .collect();
    let report = Report {
        schema_version: report::SCHEMA_VERSION.into(),
        sample: opts.sample.clone(),
        provenance,
        qc: report::qc_summary(&qc),
        methods: Methods {
            small_variants: call_opts.clone(),
            fusions: report::FusionMethods {
                options: fusion_opts.clone(),
                library: fusions.library,
                library_source: fusions.library_source.clone(),
                evidence: fusions.evidence.clone(),
                other_junctions: fusions.other_junctions,
                realigned_clips: fusions.realigned_clips,
            },
            copy_number: cnv_opts.clone(),
            alignment: align_stats.as_ref().map(|(st, _)| st.clone()),
        },
        small_variants: small.variants.clone(),
        hotspots: small.hotspots.clone(),
        fusions: fusions.calls.clone(),
        fusion_targets: fusions.targets.clone(),
        copy_number: cnv.clone(),
        annotations,
        knowledge_base: panel.knowledge_base.reference.clone(),
        findings,
        pgx,
        risk,
        modules,
        warnings,
        germline_snps: report::germline_snps(&small.backbone_snps),
    };
    let names: Vec<String> = reference.contigs.iter().map(|(n, _)| n.clone()).collect();
    let contigs: Vec<(String, u64)> = panel
        .contigs()
        .into_iter()
        .filter_map(|c| {
            let name = crate::ingest::build::resolve_contig(&c, &names)?.to_string();
            Some((c, reference.length(&name)?))
        })
        .collect();
    report::vcf::write_small_variants(
        &opts.out_dir.join("variants.vcf.gz"),
        &report::vcf::SmallVcf::from_report(&report, &contigs),
    )?;
    // the SV VCF also declares partner contigs outside the panel (unknown partners)
    let mut sv_contigs = contigs.clone();
    for c in &fusions.calls {
        for chrom in [&c.five_prime.chrom, &c.three_prime.chrom] {
            if !sv_contigs.iter().any(|(n, _)| n == chrom) {
                if let Some(name) = crate::ingest::build::resolve_contig(chrom, &names) {
                    if let Some(l) = reference.length(name) {
                        sv_contigs.push((chrom.clone(), l));
                    }
                }
            }
        }
    }
    let ref_base = |chrom: &str, pos: u64| -> char {
        crate::ingest::build::resolve_contig(chrom, &names)
            .and_then(|n| reference.fetch(n, pos - 1, pos).ok())
            .and_then(|b| b.first().map(|x| x.to_ascii_uppercase() as char))
            .unwrap_or('N')
    };
    report::vcf::write_sv(
        &opts.out_dir.join("sv.vcf.gz"),
        id,
        &report.provenance,
        &sv_contigs,
        report::vcf::SvRecords {
            fusions: &fusions.calls,
            copy_number: &cnv.calls,
        },
        &fusion_opts.thresholds,
        &ref_base,
    )?;
    report::tsv::write_cnv(&opts.out_dir.join("cnv.tsv"), id, &report.provenance, &cnv)?;
    report::html::write_cnv(&opts.out_dir.join("cnv.html"), id, &report.provenance, &cnv)?;
    crate::util::write_atomic(
        &opts.out_dir.join("report.html"),
        report::clinical::render(&report, opts.lang, Some(panel)).as_bytes(),
    )?;
    crate::util::write_atomic(
        &opts.out_dir.join("report.fhir.json"),
        &crate::util::to_json(&report::fhir::bundle(&report)),
    )?;
    report::tsv::write_fusions(
        &opts.out_dir.join("fusions.tsv"),
        id,
        &report.provenance,
        &fusions.calls,
    )?;
    report::write_all(&opts.out_dir, &report, &qc)?;
    Ok(RunOutcome {
        sample_id: id.clone(),
        verdict: qc.verdict,
        report: opts.out_dir.join("report.json"),
        mean_exon_depth: qc.exon_targets.mean,
        input_sha256: input_sha,
    })
}

/// True when `dir` holds a complete report for this input checksum (resume support).
pub fn is_complete(dir: &Path, input_sha256: &[String]) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("report.json")) else {
        return false;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    !input_sha256.is_empty()
        && input_sha256
            .iter()
            .enumerate()
            .all(|(i, sha)| v["provenance"]["inputs"][i]["sha256"].as_str() == Some(sha))
        && dir.join("qc.json").is_file()
        && dir.join("variants.vcf.gz.tbi").is_file()
        && dir.join("sv.vcf.gz.tbi").is_file()
        && dir.join("fusions.tsv").is_file()
        && dir.join("cnv.tsv").is_file()
}

/// Read a panel of normals and refuse it when it was built for another panel or build.
/// Extra transcripts (`--transcripts`), checked against the panel and the reference, with the
/// file's sha256 for provenance.
pub fn load_transcripts(
    path: &Path,
    panel: &Panel,
    reference: &Reference,
) -> Result<(Vec<crate::annotate::transcript::Transcript>, String)> {
    let seq = crate::annotate::ReferenceSequence::new(reference);
    let ts = crate::annotate::load_extra_transcripts(path, panel, &seq)?;
    Ok((ts, crate::util::sha256_file(path)?))
}

/// A risk rules file (`--rules`), checked against the panel's knowledge base.
pub fn load_rules(path: &Path, panel: &Panel) -> Result<crate::risk::RuleSet> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    crate::risk::RuleSet::parse(&text, &panel.knowledge_base.marker_ids()).map_err(|reason| {
        Error::InvalidInput {
            path: path.to_path_buf(),
            reason,
        }
    })
}

pub fn load_pon(path: &Path, panel: &Panel) -> Result<(crate::model::PanelOfNormals, String)> {
    let pon = crate::ingest::pon::read(path)?;
    crate::call::cnv::pon::check_compatible(
        &pon,
        &panel.reference(),
        &panel.cnv_bins(),
        &path.display().to_string(),
    )?;
    Ok((pon, crate::util::sha256_file(path)?))
}

/// Copy number from the QC depths, the SNP allele fractions and the deletion junctions, against the
/// panel of normals `run_sample` loaded once for both callers.
#[allow(clippy::too_many_arguments)]
fn copy_number(
    opts: &RunOptions,
    panel: &Panel,
    reference: &Reference,
    qc: &crate::qc::SampleQc,
    small: &crate::call::small::SmallCalls,
    junctions: &[crate::model::DeletionJunction],
    pon: Option<&(crate::model::PanelOfNormals, String)>,
    cnv_opts: &crate::call::cnv::CnvOptions,
) -> Result<crate::call::cnv::CnvCalls> {
    use crate::call::cnv;
    let gc = cnv::coverage::target_gc(&panel.cnv_bins(), reference)?;
    let depths = cnv::coverage::bin_depths(qc);
    let source = pon
        .zip(opts.pon.as_ref())
        .map(|((pon, sha), path)| cnv::PonSource {
            pon,
            path: path.display().to_string(),
            sha256: sha.clone(),
        });
    let snps: Vec<&crate::model::SmallVariant> = small
        .variants
        .iter()
        .chain(&small.backbone_snps)
        .filter(|v| v.kind == crate::model::VariantKind::Snv)
        .collect();
    let ev = cnv::CnvEvidence {
        depths: &depths,
        gc: &gc,
        snps: &snps,
        junctions,
    };
    Ok(cnv::call(panel, &ev, source, &opts.sample, cnv_opts))
}

/// Measure every normal on the panel's capture targets and build the panel of normals. Each BAM is
/// checked like a sample (build, sort order, index); a missing index is built in `index_dir`.
pub fn build_pon(
    alignments: &[PathBuf],
    panel: &Panel,
    reference: &Reference,
    filter: &ReadFilter,
    threads: usize,
    index_dir: &Path,
    on_sample: &(dyn Fn(&str) + Sync),
) -> Result<crate::model::PanelOfNormals> {
    use crate::call::cnv;
    use rayon::prelude::*;
    check_reference(reference, panel)?;
    let bins = panel.cnv_bins();
    let gc = cnv::coverage::target_gc(&bins, reference)?;
    let parallel = threads.min(alignments.len()).max(1);
    let per = (threads / parallel).max(1);
    type Measured = (cnv::pon::NormalDepths, Vec<crate::model::SmallVariant>);
    let normals: Vec<Result<Measured>> = alignments
        .par_iter()
        .map(|path| {
            let input = AlignmentInput::open(path, Some(reference), index_dir, per)?;
            input.check_build(panel)?;
            let qc = crate::qc::run(&input, panel, filter, per)?;
            let id = input
                .read_groups
                .iter()
                .find_map(|r| r.sample.clone())
                .unwrap_or_else(|| {
                    path.file_stem()
                        .map(|s| s.to_string_lossy().to_string())
                        .unwrap_or_default()
                });
            // every small-variant candidate with two alt fragments, for the artefact sites
            let candidates = crate::call::small::call(
                &input,
                reference,
                panel,
                &crate::call::small::CallOptions {
                    filter: *filter,
                    emit_min_qual: 0.0,
                    reportable_only: true,
                    ..Default::default()
                },
            )?
            .variants;
            on_sample(&id);
            Ok((
                cnv::pon::NormalDepths {
                    sample: crate::model::PonSample {
                        sample_id: id,
                        path: path.display().to_string(),
                        sha256: crate::util::sha256_file(path)?,
                        sex: String::new(),
                    },
                    depths: cnv::coverage::bin_depths(&qc),
                },
                candidates,
            ))
        })
        .collect();
    let (normals, candidates): (
        Vec<cnv::pon::NormalDepths>,
        Vec<Vec<crate::model::SmallVariant>>,
    ) = normals
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let mut seen = std::collections::BTreeSet::new();
    for n in &normals {
        if !seen.insert(n.sample.sha256.clone()) {
            return Err(Error::input(
                &n.sample.path,
                "the same file is given twice: each normal must be a distinct sample",
            ));
        }
    }
    let mut pon = cnv::pon::build(panel.reference(), &bins, &gc, normals)?;
    pon.sites = crate::call::small::pon::collect(&candidates);
    Ok(pon)
}
