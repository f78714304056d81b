//! Prints what mesa-mail makes of raw messages: `cargo run --example parse_eml -- FILE...`
//! (a debugging aid for a message an agent reports as shown wrongly).

use std::env;
use std::fs;

fn main() {
    let own = ["soporte@villaesperanza.gov.co"];
    for path in env::args().skip(1) {
        println!("==== {path}");
        let raw = match fs::read(&path) {
            Ok(raw) => raw,
            Err(err) => {
                println!("cannot read: {err}");
                continue;
            }
        };
        let mail = match mesa_mail::parse(&raw) {
            Ok(mail) => mail,
            Err(err) => {
                println!("{err}");
                continue;
            }
        };
        println!("disposition: {}", mesa_mail::disposition(&mail, &own));
        println!("subject:     {:?}", mail.subject);
        println!("from:        {:?}", mail.from.as_ref().map(ToString::to_string));
        println!("reply to:    {:?}", mail.reply_recipients().iter().map(ToString::to_string).collect::<Vec<_>>());
        println!(
            "to/cc:       {:?} / {:?}",
            mail.to.iter().map(ToString::to_string).collect::<Vec<_>>(),
            mail.cc.iter().map(ToString::to_string).collect::<Vec<_>>()
        );
        println!("date:        {:?}", mail.date.map(|d| d.to_rfc3339()));
        println!("message-id:  {:?}", mail.message_id.as_ref().map(ToString::to_string));
        println!("references:  {:?}", mail.thread_references().iter().map(ToString::to_string).collect::<Vec<_>>());
        println!("type:        {}", mail.content_type);
        println!("defects:     {:?}", mail.defects.iter().map(|d| d.as_str()).collect::<Vec<_>>());
        for a in &mail.attachments {
            println!("attachment:  {a:?}");
        }
        for f in &mail.forwarded {
            println!("forwarded:   {:?} from {:?}", f.subject, f.from.as_ref().map(ToString::to_string));
        }
        let split = mail.quote_split();
        println!("--- new text\n{}", split.new_text);
        if split.has_quote() {
            println!("--- quoted\n{}", split.quoted);
        }
        if let Some(html) = &mail.html {
            println!("--- html\n{html}");
        }
    }
}
