"""The header spellings of tabular exports, per record field, for every tool reviewers use.

Each database and screening tool names its columns its own way; this table is the
one place they are listed. Headers are compared after `text.match_key` (case,
spaces, underscores and punctuation dropped), so "Author(s)", "Author/s" and
"authors" are one spelling, and "authorships.author.display_name" is
"authorshipsauthordisplayname". For most fields a row uses the first non-empty
cell among the columns found, in the order listed here (best first).

Where the spellings come from (documented export layouts and real exports):

- Scopus CSV: Authors, Author full names, Title, Year, Source title, Volume, Issue,
  Art. No., Page start, Page end, DOI, Link, Abstract, Author Keywords, Index
  Keywords, ISSN, PubMed ID, Document Type, EID.
- Web of Science tab-delimited: two-letter tags (AU, AF, TI, SO, PY, VL, IS, BP,
  EP, DI, AB, DE, ID, UT, SN).
- Embase CSV / Excel CSV / XLSX: Title, Author Names, Source title, Publication
  Year, Volume, Issue, First Page, Last Page, Date of Publication, ISSN, DOI,
  Author Keywords, Emtree terms, Embase Accession ID, Medline PMID.
- PubMed CSV: PMID, Title, Authors, Citation, First Author, Journal/Book,
  Publication Year, Create Date, PMCID, DOI.
- CINAHL / EBSCO CSV: Article Title, Author, Journal Title, ISSN, Publication
  Date, Volume, Issue, First Page, Accession Number, DOI, Doctype, Subjects,
  Keywords, Abstract, PLink.
- Ovid CSV (field labels or tags): Title/TI, Authors/AU, Source/SO, Year of
  Publication/YR, Journal Name/JN, Volume/VO, Issue/IP, Page/PG, Digital Object
  Identifier/DO, Abstract/AB, Unique Identifier/UI, Accession Number/AN.
- Cochrane CENTRAL CSV: CENTRAL ID, Author(s), Title, Source, Year, Abstract,
  Volume, Issue, Pages, PubMed ID, Publication Type, Keywords, DOI, URL.
- Covidence CSV: Title, Authors, Abstract, Published Year, Published Month,
  Journal, Volume, Issue, Pages, Accession Number, DOI, Ref, Covidence #, Study,
  Notes, Tags.
- Rayyan CSV: key, title, year, month, day, journal, issn, volume, issue, pages,
  authors, url, language, publisher, abstract, notes, doi, keywords, pubmed_id.
- abstrackr CSV: (internal) id, (source) id, pubmed id, keywords, abstract, title,
  journal, authors, tags, consensus.
- EPPI-Reviewer XLSX: Included, ID, ShortTitle ("Surname (Year)"), Title, Year,
  and in fuller reports Authors, ParentTitle/Journal, Volume, Issue, Pages, DOI.
- RefWorks tab-delimited: Reference Type, Authors, Primary, Title Primary,
  Periodical Full, Periodical Abbrev, Pub Year, Volume, Issue, Start Page, Other
  Pages, Keywords, Abstract, ISSN/ISBN, URL, DOI, PMID.
- Zotero CSV: Key, Item Type, Publication Year, Author, Title, Publication Title,
  ISBN, ISSN, DOI, Url, Abstract Note, Date, Pages, Issue, Volume, Manual Tags.
- Mendeley / EndNote / Citavi tabular exports: Title, Author(s)/Authors, Year,
  Journal/Secondary Title/Periodical, Volume, Issue/Number, Pages, DOI, Abstract,
  Keywords, ISSN.
- OpenAlex CSV: id, doi, title, display_name, publication_year,
  publication_date, type, authorships.author.display_name (pipe-separated),
  primary_location.source.display_name, biblio.volume/issue/first_page/last_page,
  keywords.display_name, abstract, ids.pmid.
- Lens.org CSV: Lens ID, Title, Date Published, Publication Year, Publication
  Type, Source Title, ISSNs, Publisher, Author/s, Abstract, Volume, Issue Number,
  Start Page, End Page, Keywords, MeSH Terms, PMID, DOI.
- Springer Link CSV: Item Title, Publication Title, Book Series Title, Journal
  Volume, Journal Issue, Item DOI, Authors (names run together), Publication
  Year, URL, Content Type.
- Google Scholar / Publish or Perish CSV: Cites, Authors, Title, Year, Source or
  Publication, Publisher, ArticleURL, Type, DOI, ISSN, Volume, Issue, StartPage,
  EndPage.
- ASReview: title, abstract, authors, keywords, doi, label_included, included,
  asreview_label, record_id, primary_title.
"""

from __future__ import annotations

#: Record fields and the header spellings (reduced by `match_key`) that hold them, best first.
FIELD_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "title",
        ("title", "articletitle", "ti", "primarytitle", "documenttitle", "titleprimary",
         "itemtitle", "displayname", "publicationtitleenglish", "t1"),
    ),
    (
        "authors",
        ("af", "authorfullnames", "authorsfullnames", "authors", "author", "authornames",
         "au", "firstauthors", "a1", "authorsprimary", "authorshipsauthordisplayname",
         "authorshipsrawauthorname", "authorsfullname", "authorlist", "creators"),
    ),
    (
        "year",
        ("year", "publicationyear", "py", "pubyear", "yearpublished", "publishedyear",
         "yr", "yearofpublication"),
    ),
    (
        "date",
        ("date", "publicationdate", "pd", "datepublished", "dateofpublication"),
    ),
    (
        "journal",
        ("sourcetitle", "journal", "publicationtitle", "journaltitle", "journalbook", "jn", "so",
         "secondarytitle", "journalname", "t2", "jo", "periodicalfull",
         "primarylocationsourcedisplayname", "publication", "periodical", "parenttitle",
         "jf"),
    ),
    ("source", ("source",)),
    ("volume", ("volume", "vl", "vol", "vo", "journalvolume", "bibliovolume")),
    ("issue", ("issue", "number", "is", "issuenumber", "ip", "journalissue", "biblioissue")),
    ("pages", ("pages", "pagerange", "pp", "pg", "page")),
    (
        "page_start",
        ("pagestart", "bp", "startpage", "firstpage", "sp", "bibliofirstpage"),
    ),
    ("page_end", ("pageend", "ep", "endpage", "lastpage", "bibliolastpage", "otherpages")),
    ("article_number", ("artno", "articlenumber", "ar")),
    ("doi", ("doi", "di", "itemdoi", "do", "digitalobjectidentifier", "idsdoi")),
    (
        "url",
        ("link", "url", "ur", "urls", "articleurl", "primarylocationlandingpageurl", "plink",
         "externalurl"),
    ),
    ("openurl", ("openurllink", "openurl")),
    ("abstract", ("abstract", "ab", "abstractnote", "n2", "summary")),
    (
        "keywords",
        ("authorkeywords", "keywords", "de", "indexkeywords", "manualtags", "kw",
         "keywordsplus", "meshterms", "keywordsdisplayname", "subjects", "subjectheadings",
         # Embase: its thesaurus terms, major-focus terms apart from the others.
         "emtreemedicalindexterms", "emtreemedicalindextermsmajorfocus",
         "emtreedrugindexterms", "emtreedrugindextermsmajorfocus"),
    ),
    ("issn", ("issn", "sn", "eissn", "ei", "issns", "issnisbn")),
    ("isbn", ("isbn", "bn")),
    ("language", ("language", "la", "languageoforiginaldocument", "articlelanguage")),
    (
        "type",
        ("documenttype", "dt", "itemtype", "typeofreference", "publicationtype", "pt",
         "referencetype", "type", "contenttype", "doctype"),
    ),
    ("publisher", ("publisher", "pu", "bookpublisher")),
    ("pmid", ("pubmedid", "pmid", "pm", "idspmid", "medlinepmid", "ui")),
    ("record_id", ("recordid", "id", "key", "internalid")),
    (
        "accession_number",
        ("eid", "ut", "accessionnumber", "an", "embaseaccessionid", "centralid", "lensid"),
    ),
    (
        "label_included",
        ("labelincluded", "included", "incl1excl0", "label", "finalincluded",
         "asreviewlabel"),
    ),
    ("notes", ("notes", "note", "n1")),
)  # fmt: skip

#: Field names accepted by `--map FIELD=COLUMN`.
MAPPABLE_FIELDS: tuple[str, ...] = tuple(name for name, _ in FIELD_ALIASES)
