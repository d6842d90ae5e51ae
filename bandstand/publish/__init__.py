"""Framework definitions to the pages of a documentation site, as Markdown.

This package knows nothing about MkDocs: it turns loaded frameworks (and the
results of their worked examples) into :class:`Page` objects, each a path
under the docs folder and its Markdown text, and plans the pages of a whole
site with :func:`plan_site`. The MkDocs plugin
(:mod:`bandstand.mkdocs_plugin`) only hands these pages to MkDocs.

Every fact on a page comes from the same model the engine evaluates, so
changing a threshold in a framework file changes the published page on the
next build. Every piece of framework text is escaped where it is written
(:mod:`bandstand.publish.markdown`): a framework whose title is
``<script>alert(1)</script>`` publishes that text, not a script.

The modules, from the bottom up: :mod:`.markdown` (escaping, links),
:mod:`.page` (a page and its anchors), :mod:`.addresses` (the URL scheme),
:mod:`.tables` (scales and band tables), one module per kind of page
(:mod:`.domain`, :mod:`.examples`, :mod:`.changes`, :mod:`.indexes`,
:mod:`.overview`, :mod:`.crosswalks`, :mod:`.reference`), and :mod:`.site`,
the plan of a whole site.

The URL scheme (``prefix`` is ``frameworks`` unless configured):

========================================  =======================================
``{prefix}/``                             every published framework
``{prefix}/{id}/``                        the versions of one framework
``{prefix}/{id}/{version}/``              a version's overview; ``#{node id}``
                                          for any node links to the node's page
``{prefix}/{id}/{version}/{domain id}/``  one top-level node (a domain) and all
                                          below it; ``#{node id}`` for each
``{prefix}/{id}/{version}/examples/``     worked examples, one page each below
``{prefix}/{id}/{version}/changes/``      what changed from the previous version
``{prefix}/crosswalks/{id}/``             a crosswalk between published frameworks
``reference/``                            the file formats, rule language and CLI
========================================  =======================================

>>> from bandstand.catalogue import Catalogue
>>> plan = plan_site([Catalogue().resolve("hmip-youth@2018")])
>>> sorted(plan.pages)[:4]
['frameworks/hmip-youth/2018/1/index.md', 'frameworks/hmip-youth/2018/2/index.md', \
'frameworks/hmip-youth/2018/3/index.md', 'frameworks/hmip-youth/2018/4/index.md']
"""

from .addresses import version_dir
from .changes import compare_versions
from .examples import WorkedExample, work_examples
from .markdown import code, escape, paragraphs, safe_title
from .page import Page, PublishError, make_page
from .reference import reference_pages
from .site import Plan, add_pages, framework_pages, plan_site

__all__ = ["Page", "Plan", "PublishError", "WorkedExample", "escape", "paragraphs", "code",
           "safe_title", "make_page", "plan_site", "add_pages", "framework_pages", "work_examples",
           "compare_versions", "version_dir", "reference_pages"]
