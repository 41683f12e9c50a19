use puente::concordance::{self, LabInput, Options};
use puente::panel::Panel;
use puente::report::i18n::Lang;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The reference lab's result: report.json, or a small-variant VCF (needs --reference-fasta).
    #[arg(long)]
    reference: PathBuf,
    /// The test (partner) lab's result for the same sample.
    #[arg(long)]
    test: PathBuf,
    /// Output directory (concordance.json, concordance.html).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    pub compare: CompareArgs,
}

/// Options shared by `concordance` and `validate`.
#[derive(clap::Args)]
pub struct CompareArgs {
    /// FASTA to normalise calls against (default: the one the reports name, when it is there and
    /// its contig MD5s match). Required for VCF inputs.
    #[arg(long)]
    pub reference_fasta: Option<PathBuf>,
    /// Panel for reportable regions and markers (default: the reference report's panel).
    #[arg(long)]
    pub panel: Option<String>,
    /// DNA fusion breakpoints agree when both ends are within this many bases.
    #[arg(long, default_value_t = 20)]
    pub fusion_tolerance: u64,
    /// Compare even if the results differ in sample, panel or build (stated in the outputs).
    #[arg(long)]
    pub force: bool,
    #[arg(long, default_value = "es", value_parser = ["es", "en"])]
    pub lang: String,
}

impl CompareArgs {
    pub fn options(&self) -> Options {
        Options {
            fusion_tolerance_bp: self.fusion_tolerance,
            force: self.force,
        }
    }
    pub fn lang(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or(Lang::Es)
    }
}

/// Panel from `--panel`, else the reports' own, else the built-in default.
pub fn panel_for(spec: Option<&str>, labs: &[&LabInput]) -> puente::Result<Panel> {
    let name = spec
        .map(str::to_string)
        .or_else(|| {
            labs.iter()
                .find_map(|l| l.report().map(|r| r.provenance.panel.name.clone()))
        })
        .unwrap_or_else(|| "all-v1".into());
    Panel::load(&name)
}

/// The FASTA to normalise against: the one given, else the first report's own if it still
/// exists and matches. VCF inputs need one.
pub fn fasta_for(
    given: Option<&std::path::Path>,
    labs: &[&LabInput],
    panel: &Panel,
) -> puente::Result<Option<(puente::ingest::Reference, puente::model::ReferenceRef)>> {
    if let Some(p) = given {
        return concordance::open_fasta(p, labs, panel).map(Some);
    }
    if let Some(vcf) = labs.iter().find(|l| l.report().is_none()) {
        return Err(puente::Error::input(
            &vcf.path,
            "a VCF is normalised against the reference: give --reference-fasta",
        ));
    }
    for l in labs {
        if let Some(r) = l.report() {
            let p = std::path::Path::new(&r.provenance.reference.path);
            if p.exists() {
                match concordance::open_fasta(p, labs, panel) {
                    Ok(x) => return Ok(Some(x)),
                    Err(e) => eprintln!("warning: not normalising against {}: {e}", p.display()),
                }
            }
        }
    }
    Ok(None)
}

pub fn exec(a: Args) -> anyhow::Result<i32> {
    let reference = LabInput::load(&a.reference)?;
    let test = LabInput::load(&a.test)?;
    let labs = [&reference, &test];
    let panel = panel_for(a.compare.panel.as_deref(), &labs)?;
    let fasta = fasta_for(a.compare.reference_fasta.as_deref(), &labs, &panel)?;
    let opts = a.compare.options();
    let refseq = fasta
        .as_ref()
        .map(|(f, r)| (f as &dyn concordance::small::RefSeq, r.clone()));
    let c = concordance::compare(
        &reference,
        &test,
        &panel,
        refseq,
        &opts,
        super::command_line(),
    )?;
    puente::report::concordance::write(&a.out, &c, a.compare.lang())?;
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    let s = &c.summary;
    println!(
        "{}: {}\n  small variants: {} matched, {} reference only, {} test only\n  fusions: {} matched, {} discordant\n  copy number: {} matched, {} discordant\n  classification and PGx: {} of {} agree\n  written: {}",
        c.reference.sample_id.as_deref().unwrap_or("sample"),
        s.status,
        s.small_variants_matched,
        s.small_variants_reference_only,
        s.small_variants_test_only,
        s.fusions_matched,
        s.fusions_discordant,
        s.copy_number_matched,
        s.copy_number_discordant,
        s.categories_compared - s.categories_discordant,
        s.categories_compared,
        a.out.join("concordance.json").display()
    );
    Ok(0)
}
