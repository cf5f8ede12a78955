"""Provides reading of screener responses exported from survey tools.

A screener is fielded in Qualtrics, SurveyMonkey or a plain spreadsheet and
comes back as a CSV. `read_responses` turns any of those exports into
`ImportedResponse` rows keyed by the screener's question ids, so scoring,
flagging and ranking never care which tool was used.

The whole file is validated: the first bad cell raises a `ResponseFileError`
whose message is one line naming the file, the line, the column and what was
expected, and nothing is imported. A half imported recruit is worse than none,
because nobody notices the missing half. `read_responses` checks every row
before it returns any; `open_responses` gives them one at a time (an export of
100,000 is never held whole) and raises after the last, so its caller stores
them in one transaction that the error rolls back.

One module per job, in the order a file goes through them:

- `decoding`: size limits, the shared text decoder, CSV records, cut-off files;
- `formats`: which tool wrote it, and what its header rows say of each column;
- `matching` and `layout`: which column holds which answer, part or metadata;
- `cells`: one cell as a number, option, rating, rank or text;
- `dates`: a duration from start and end timestamps;
- `rows`: each respondent's answers assembled, `read_responses` and `open_responses`.

Nothing here knows about the screener file or the store: questions are the
plain `definition.Question` data.
"""

from ideation.screening.responses.formats import FORMATS, Format, detect_format
from ideation.screening.responses.problems import Problem, ResponseFileError
from ideation.screening.responses.rows import (
    ContactDetails,
    ImportedBatch,
    ImportedResponse,
    ResponseStream,
    open_responses,
    read_responses,
)

__all__ = [
    "FORMATS",
    "ContactDetails",
    "Format",
    "ImportedBatch",
    "ImportedResponse",
    "Problem",
    "ResponseFileError",
    "ResponseStream",
    "detect_format",
    "open_responses",
    "read_responses",
]
