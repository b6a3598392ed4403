//! A drawn signature and the finishing of a receive session, for receiving tests.

use tally_app::receiving::signature::{SignatureInput, StrokePoint};
use tally_app::receiving::FinishSessionInput;

/// A signature as a pen would draw it: one wavy stroke of 50 points.
pub fn signature() -> SignatureInput {
    SignatureInput {
        signer_name: "Receiver".into(),
        width: 600.0,
        height: 200.0,
        strokes: vec![(0..50)
            .map(|i| StrokePoint {
                x: 30.0 + i as f32 * 10.0,
                y: 100.0 + (i as f32 * 0.6).sin() * 40.0,
                pressure: 0.5,
                t_ms: i * 16,
            })
            .collect()],
    }
}

/// Finishes a session signed by the receiver; `close` closes the receipt.
pub fn finish(close: bool) -> FinishSessionInput {
    FinishSessionInput {
        signature: Some(signature()),
        driver_signature: None,
        confirm_pin: None,
        close_receipt: close,
        manager: None,
        note: None,
    }
}
