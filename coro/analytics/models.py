# Analytics has no tables of its own yet: it reads aggregates from sharing and content.
