"""Schema v14 (issue 20): an index for each sort of the record's columns.

Sorting by type, citation key, venue, volume, pages, publisher or DOI read every row and
sorted them (0.1-0.8 s at 100,000 papers, twice that with another program busy); the
other sorts had an index each since schema v4.  Each index holds the sort's own
expression (``query.SORTS``: ``coalesce(column, '')``) and the id, over the papers outside
the trash, as theirs do.  A paper whose column is empty adds its entry at the end of
the index (its key is '' and its id the largest): cheap for the listings' papers, which
leave most of these columns empty.
"""

from __future__ import annotations

#: sort key -> (index, column), in ``query.SORTS``'s order
RECORD_SORT_INDEXES: dict[str, tuple[str, str]] = {
    "type": ("papers_live_type", "type"),
    "key": ("papers_live_key", "citekey"),
    "venue": ("papers_live_venue", "journal"),
    "volume": ("papers_live_volume", "volume"),
    "pages": ("papers_live_pages", "pages"),
    "publisher": ("papers_live_publisher", "publisher"),
    "doi": ("papers_live_doi", "doi"),
}

#: The migration v13 -> v14 (history: never changed once released; a test checks it against
#: ``RECORD_SORT_INDEXES``).
V14_RECORD_SORT_INDEXES = """
CREATE INDEX IF NOT EXISTS papers_live_type ON papers(coalesce(type, ''), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_key ON papers(coalesce(citekey, ''), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_venue ON papers(coalesce(journal, ''), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_volume ON papers(coalesce(volume, ''), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_pages ON papers(coalesce(pages, ''), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_publisher ON papers(coalesce(publisher, ''), id) WHERE trashed_at IS NULL;
CREATE INDEX IF NOT EXISTS papers_live_doi ON papers(coalesce(doi, ''), id) WHERE trashed_at IS NULL;
"""
