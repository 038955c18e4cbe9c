//! `snapscope completions SHELL` and `snapscope man`: shell completions
//! and the man page, generated from the clap definition in [`args`](super::args).

use clap::CommandFactory;

use crate::cmd::args::Cli;

/// Shell completions generated from the clap definition.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "snapscope", &mut buf);
    buf
}

/// The man page (roff) generated from the clap definition.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    Ok(buf)
}
