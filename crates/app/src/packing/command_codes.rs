//! Command barcodes: printed codes a packer scans instead of reaching for the keyboard
//! (`*CLOSE-BOX*`, `*UNDO*`, ...). Defined only here; the UI gets them from `scan`
//! (as a `command` outcome) and from `packing_command_codes` (for a printable sheet).
//!
//! The asterisks are part of the data (printed as Code 128), so no product SKU can
//! collide with a command; a Code 39 print, whose scanner drops the asterisks, is not
//! recognised on purpose.

use serde::{Deserialize, Serialize};

/// What a command barcode asks the bench to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PackCommand {
    /// Open a new box (of the last container type used).
    NewBox,
    /// Weigh and close the open box, printing its label.
    CloseBox,
    /// Undo this bench's last scan.
    Undo,
    /// Print the last closed box's label again.
    ReprintLabel,
    /// Send the consignment (asks for short-ship reasons if needed).
    Send,
    /// Dismiss the message or dialog on screen (put the item aside).
    Dismiss,
}

/// A command barcode as printed on the bench's command sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CommandCode {
    /// The command.
    pub command: PackCommand,
    /// Exactly what the barcode holds (Code 128).
    pub code: String,
    /// The words printed under it.
    pub label: String,
}

/// Every command, its barcode data and its printed words.
pub const COMMANDS: [(PackCommand, &str, &str); 6] = [
    (PackCommand::NewBox, "*NEW-BOX*", "New box"),
    (PackCommand::CloseBox, "*CLOSE-BOX*", "Close box"),
    (PackCommand::Undo, "*UNDO*", "Undo last scan"),
    (
        PackCommand::ReprintLabel,
        "*REPRINT-LABEL*",
        "Reprint box label",
    ),
    (PackCommand::Send, "*SEND*", "Send"),
    (PackCommand::Dismiss, "*DISMISS*", "Put aside / dismiss"),
];

/// The command sheet.
pub fn command_codes() -> Vec<CommandCode> {
    COMMANDS
        .iter()
        .map(|(command, code, label)| CommandCode {
            command: *command,
            code: (*code).to_string(),
            label: (*label).to_string(),
        })
        .collect()
}

/// The command a raw scan names, if it is one. Tolerates an AIM prefix, the scanner's
/// line ending and lower case (some wedges are set to a different keyboard case).
pub fn parse_command(raw: &str) -> Option<PackCommand> {
    let (_, data) = tally_domain::strip_aim(raw.trim());
    let data = data.trim();
    COMMANDS
        .iter()
        .find(|(_, code, _)| code.eq_ignore_ascii_case(data))
        .map(|(command, _, _)| *command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_barcodes_are_recognised_with_aim_prefix_and_line_ending() {
        assert_eq!(parse_command("*CLOSE-BOX*"), Some(PackCommand::CloseBox));
        assert_eq!(parse_command("]C0*UNDO*\r\n"), Some(PackCommand::Undo));
        assert_eq!(parse_command("*new-box*"), Some(PackCommand::NewBox));
    }

    #[test]
    fn a_sku_that_spells_a_command_without_asterisks_is_not_a_command() {
        assert_eq!(parse_command("UNDO"), None);
        assert_eq!(parse_command("CLOSE-BOX"), None);
        assert_eq!(parse_command("9421234567892"), None);
        assert_eq!(parse_command(""), None);
    }

    #[test]
    fn every_command_has_one_distinct_code() {
        let sheet = command_codes();
        assert_eq!(sheet.len(), COMMANDS.len());
        for c in &sheet {
            assert_eq!(parse_command(&c.code), Some(c.command));
        }
        let mut codes: Vec<&str> = sheet.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), sheet.len());
    }
}
