"""Getting facts out of the world: job postings from sources, skills from posting text."""
