//! Zebra `~HS` host status: three comma-separated strings, each framed `STX … ETX CR LF`.
//!
//! String 1: `aaa,b,c,dddd,eee,f,g,h,iii,j,k,l` (b paper out, c pause, dddd label length,
//! eee formats in buffer, f buffer full, j corrupt RAM, k under temperature, l over temperature).
//! String 2: `mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www` (o head up, p ribbon out, q thermal transfer,
//! t label waiting, uuuuuuuu labels remaining in batch). String 3: `xxxx,y` (password, RAM).

use serde::{Deserialize, Serialize};

use crate::error::DeviceError;

/// Start of a status string.
pub const STX: u8 = 0x02;
/// End of a status string.
pub const ETX: u8 = 0x03;
/// The query, as sent to the printer.
pub const QUERY: &[u8] = b"~HS";

/// What the printer said about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterStatus {
    /// Out of labels.
    pub paper_out: bool,
    /// Paused (button or command).
    pub paused: bool,
    /// Print head open.
    pub head_open: bool,
    /// Ribbon out (matters only in thermal-transfer mode).
    pub ribbon_out: bool,
    /// Thermal-transfer (ribbon) rather than direct-thermal mode.
    pub thermal_transfer: bool,
    /// Receive buffer full.
    pub buffer_full: bool,
    /// RAM corrupted (configuration lost).
    pub corrupt_ram: bool,
    /// Head too cold.
    pub under_temperature: bool,
    /// Head too hot.
    pub over_temperature: bool,
    /// A printed label waits to be taken (peel-off mode).
    pub label_waiting: bool,
    /// Formats waiting in the receive buffer.
    pub formats_in_buffer: u32,
    /// Labels still to print in the current batch.
    pub labels_remaining: u32,
    /// Label length in dots as the printer measured it.
    pub label_length_dots: u32,
}

impl PrinterStatus {
    /// The conditions that stop printing, in words for the screen. Empty means ready.
    pub fn problems(&self) -> Vec<&'static str> {
        let mut p = Vec::new();
        if self.paper_out {
            p.push("out of labels");
        }
        if self.head_open {
            p.push("print head open");
        }
        if self.ribbon_out && self.thermal_transfer {
            p.push("ribbon out");
        }
        if self.paused {
            p.push("paused");
        }
        if self.buffer_full {
            p.push("receive buffer full");
        }
        if self.corrupt_ram {
            p.push("memory corrupted; settings lost");
        }
        if self.under_temperature {
            p.push("print head too cold");
        }
        if self.over_temperature {
            p.push("print head too hot");
        }
        p
    }

    /// True when nothing stops printing.
    pub fn is_ready(&self) -> bool {
        self.problems().is_empty()
    }
}

fn bad(detail: impl Into<String>) -> DeviceError {
    DeviceError::Protocol {
        what: "Zebra printer status".into(),
        detail: detail.into(),
    }
}

/// Extracts the bodies of the STX … ETX strings in `bytes`, ignoring anything between them.
pub fn framed_strings(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while let Some(start) = rest.iter().position(|&b| b == STX) {
        let after = &rest[start + 1..];
        let Some(end) = after.iter().position(|&b| b == ETX) else {
            break;
        };
        // A nested STX means the earlier frame was cut off: restart from the later one.
        let body = &after[..end];
        match body.iter().rposition(|&b| b == STX) {
            Some(i) => out.push(&body[i + 1..]),
            None => out.push(body),
        }
        rest = &after[end + 1..];
    }
    out
}

/// True once `bytes` holds the three complete strings of a reply.
pub fn is_complete(bytes: &[u8]) -> bool {
    framed_strings(bytes).len() >= 3
}

/// Parses a full `~HS` reply. Never panics.
pub fn parse_host_status(bytes: &[u8]) -> Result<PrinterStatus, DeviceError> {
    let strings = framed_strings(bytes);
    if strings.len() < 3 {
        return Err(bad(format!(
            "expected 3 status strings, got {}",
            strings.len()
        )));
    }
    let fields = |s: &[u8], n: usize, which: &str| -> Result<Vec<String>, DeviceError> {
        let text = std::str::from_utf8(s).map_err(|_| bad(format!("{which} is not text")))?;
        let f: Vec<String> = text.split(',').map(|x| x.trim().to_string()).collect();
        if f.len() < n {
            return Err(bad(format!("{which} has {} fields, expected {n}", f.len())));
        }
        Ok(f)
    };
    let one = fields(strings[0], 12, "status string 1")?;
    let two = fields(strings[1], 11, "status string 2")?;
    let flag = |f: &[String], i: usize| -> Result<bool, DeviceError> {
        match f[i].as_str() {
            "0" => Ok(false),
            "1" => Ok(true),
            other => Err(bad(format!("flag {other:?} is neither 0 nor 1"))),
        }
    };
    let number = |f: &[String], i: usize| -> Result<u32, DeviceError> {
        f[i].parse::<u32>()
            .map_err(|_| bad(format!("{:?} is not a number", f[i])))
    };
    Ok(PrinterStatus {
        paper_out: flag(&one, 1)?,
        paused: flag(&one, 2)?,
        label_length_dots: number(&one, 3)?,
        formats_in_buffer: number(&one, 4)?,
        buffer_full: flag(&one, 5)?,
        corrupt_ram: flag(&one, 9)?,
        under_temperature: flag(&one, 10)?,
        over_temperature: flag(&one, 11)?,
        head_open: flag(&two, 2)?,
        ribbon_out: flag(&two, 3)?,
        thermal_transfer: flag(&two, 4)?,
        label_waiting: flag(&two, 7)?,
        labels_remaining: number(&two, 8)?,
    })
}

/// Formats a reply the way a Zebra sends it (used by the simulator and by tests).
pub fn format_host_status(s: &PrinterStatus) -> Vec<u8> {
    let b = |x: bool| if x { '1' } else { '0' };
    format!(
        "\x02030,{},{},{:04},{:03},{},0,0,000,{},{},{}\x03\r\n\
         \x02001,0,{},{},{},2,4,{},{:08},1,000\x03\r\n\
         \x021234,0\x03\r\n",
        b(s.paper_out),
        b(s.paused),
        s.label_length_dots,
        s.formats_in_buffer,
        b(s.buffer_full),
        b(s.corrupt_ram),
        b(s.under_temperature),
        b(s.over_temperature),
        b(s.head_open),
        b(s.ribbon_out),
        b(s.thermal_transfer),
        b(s.label_waiting),
        s.labels_remaining,
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Shaped as a printer in direct-thermal mode with the paper out answers.
    const PAPER_OUT: &[u8] =
        b"\x02030,1,0,1218,000,0,0,0,000,0,0,0\x03\r\n\x02001,0,0,0,0,2,4,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n";

    #[test]
    fn paper_out_is_read_from_string_one() {
        let s = parse_host_status(PAPER_OUT).unwrap();
        assert!(s.paper_out);
        assert!(!s.head_open && !s.paused);
        assert_eq!(s.label_length_dots, 1218);
        assert_eq!(s.problems(), vec!["out of labels"]);
    }

    #[test]
    fn head_open_and_pause_are_read() {
        let s = PrinterStatus {
            head_open: true,
            paused: true,
            labels_remaining: 3,
            ..Default::default()
        };
        let parsed = parse_host_status(&format_host_status(&s)).unwrap();
        assert_eq!(parsed, s);
        assert!(!parsed.is_ready());
    }

    #[test]
    fn ribbon_out_only_matters_with_a_ribbon() {
        let direct = PrinterStatus {
            ribbon_out: true,
            ..Default::default()
        };
        assert!(direct.is_ready());
        let transfer = PrinterStatus {
            ribbon_out: true,
            thermal_transfer: true,
            ..Default::default()
        };
        assert!(!transfer.is_ready());
    }

    #[test]
    fn an_incomplete_reply_is_an_error() {
        assert!(!is_complete(&PAPER_OUT[..40]));
        assert!(parse_host_status(&PAPER_OUT[..40]).is_err());
        assert!(is_complete(PAPER_OUT));
    }

    #[test]
    fn non_flag_values_are_errors() {
        let bad = b"\x02030,x,0,1218,000,0,0,0,000,0,0,0\x03\x02001,0,0,0,0,2,4,0,00000000,1,000\x03\x021234,0\x03";
        assert!(parse_host_status(bad).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_bytes_parse_without_panic(data in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = parse_host_status(&data);
        }

        #[test]
        fn any_status_round_trips(bits in any::<[bool; 10]>(), n in 0u32..1000, len in 0u32..9999) {
            let s = PrinterStatus {
                paper_out: bits[0], paused: bits[1], head_open: bits[2], ribbon_out: bits[3],
                thermal_transfer: bits[4], buffer_full: bits[5], corrupt_ram: bits[6],
                under_temperature: bits[7], over_temperature: bits[8], label_waiting: bits[9],
                formats_in_buffer: n % 1000, labels_remaining: n, label_length_dots: len,
            };
            prop_assert_eq!(parse_host_status(&format_host_status(&s)).unwrap(), s);
        }
    }
}
