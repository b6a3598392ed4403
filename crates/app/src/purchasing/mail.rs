//! E-mailing a purchase order PDF through the configured SMTP relay (lettre).

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use secrecy::ExposeSecret;

use super::settings::{SmtpSecurity, SmtpSettings};
use crate::error::AppError;

/// One message with a PDF attached.
pub(crate) struct PdfMail<'a> {
    pub to: &'a Mailbox,
    pub subject: String,
    pub body: String,
    pub file_name: String,
    pub pdf: Vec<u8>,
}

/// Parses an address as typed ("Name <a@b.nz>" or "a@b.nz").
pub(crate) fn mailbox(address: &str) -> Result<Mailbox, AppError> {
    address.trim().parse::<Mailbox>().map_err(|_| {
        AppError::new(
            "EMAIL_INVALID",
            format!(
                "\"{}\" is not an e-mail address.",
                address.chars().take(80).collect::<String>()
            ),
        )
    })
}

fn failed(detail: impl std::fmt::Display) -> AppError {
    AppError::new(
        "EMAIL_FAILED",
        format!("The purchase order could not be e-mailed: {detail}. It is saved; try sending the e-mail again."),
    )
}

/// Sends `mail` through the relay; waits for the relay's answer (bounded by its timeout).
pub(crate) fn send(smtp: &SmtpSettings, mail: PdfMail<'_>) -> Result<(), AppError> {
    let from = mailbox(&smtp.from).map_err(|_| {
        AppError::new(
            "CONFIG_INVALID",
            format!(
                "The sender address TALLY_SMTP_FROM ({}) is not valid.",
                smtp.from
            ),
        )
    })?;
    let pdf_type = ContentType::parse("application/pdf").map_err(failed)?;
    let message = Message::builder()
        .from(from)
        .to(mail.to.clone())
        .subject(mail.subject)
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(mail.body))
                .singlepart(Attachment::new(mail.file_name).body(mail.pdf, pdf_type)),
        )
        .map_err(failed)?;
    let builder = match smtp.security {
        SmtpSecurity::StartTls => SmtpTransport::starttls_relay(&smtp.host).map_err(failed)?,
        SmtpSecurity::Tls => SmtpTransport::relay(&smtp.host).map_err(failed)?,
        SmtpSecurity::None => SmtpTransport::builder_dangerous(smtp.host.clone()),
    };
    let mut builder = builder.port(smtp.port).timeout(Some(smtp.timeout));
    if let Some(user) = &smtp.username {
        let password = smtp
            .password
            .as_ref()
            .map(|p| p.expose_secret().to_string())
            .unwrap_or_default();
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    builder.build().send(&message).map_err(|e| {
        tracing::warn!(host = %smtp.host, port = smtp.port, error = %e, "purchase order e-mail failed");
        failed(e)
    })?;
    Ok(())
}
