//! Text tables: a header row and left-aligned columns separated by two
//! spaces, as `gh` and `kubectl` print lists. The last column is not padded.

/// The lines of a table: `header` then `rows`, columns aligned on the
/// widest cell (in characters).
pub fn lines(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(cell.chars().count());
            }
        }
    }
    let format = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut line = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            line.push_str(cell);
            if i < last {
                let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        line.trim_end().to_owned()
    };
    let mut out = vec![format(header.to_vec())];
    out.extend(
        rows.iter()
            .map(|row| format(row.iter().map(String::as_str).collect())),
    );
    out
}

/// A yes/no answer, written the same way everywhere in text output.
pub fn yes_no(answer: bool) -> &'static str {
    if answer { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell() {
        let rows = vec![
            vec!["10".to_owned(), "Release ten".to_owned(), "me".to_owned()],
            vec!["9".to_owned(), "Nine".to_owned(), "you".to_owned()],
        ];
        assert_eq!(
            lines(&["VERSION", "TITLE", "CREATOR"], &rows),
            vec![
                "VERSION  TITLE        CREATOR",
                "10       Release ten  me",
                "9        Nine         you",
            ]
        );
        assert_eq!(yes_no(true), "yes");
        assert_eq!(yes_no(false), "no");
    }
}
