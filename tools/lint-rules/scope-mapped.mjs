// An ESLint rule for eslint.config.mjs: every project's `scope:` tag must be one the
// config's map of scopes (`contractsUsedBy`) lists. @nx/enforce-module-boundaries applies
// only the constraints whose source tag a project carries, so a project whose scope the
// map lacks would import any context's contract unchecked. This makes it an error on every
// file of that project, naming the project and its scope.
import path from 'node:path';
import { readCachedProjectGraph, workspaceRoot } from '@nx/devkit';

/** Each project's root and tags, longest root first (a contract sits inside its context). */
let projects;

const projectsOf = () => {
  if (projects === undefined) {
    try {
      projects = Object.values(readCachedProjectGraph().nodes)
        .map(({ name, data }) => ({ name, root: data.root, tags: data.tags ?? [] }))
        .sort((a, b) => b.root.length - a.root.length);
    } catch {
      // No graph cached yet: @nx/enforce-module-boundaries warns of that and checks nothing either.
      projects = [];
    }
  }
  return projects;
};

const projectOf = (file) => {
  const relative = path.relative(workspaceRoot, file).split(path.sep).join('/');
  return projectsOf().find(({ root }) => root !== '' && root !== '.' && (relative === root || relative.startsWith(`${root}/`)));
};

export const scopeMapped = {
  meta: {
    type: 'problem',
    docs: { description: "every project's scope: tag is one the map of scopes in eslint.config.mjs lists" },
    schema: [
      {
        type: 'object',
        properties: { scopes: { type: 'array', items: { type: 'string' } } },
        required: ['scopes'],
        additionalProperties: false,
      },
    ],
    messages: {
      unmapped:
        'project {{project}} is tagged "{{tag}}", a scope contractsUsedBy in eslint.config.mjs does not list: add it there with the contracts it uses, or nothing bounds what it imports',
    },
  },
  create(context) {
    const [{ scopes }] = context.options;
    return {
      Program(node) {
        const project = projectOf(context.filename);
        if (!project) return;
        for (const tag of project.tags.filter((candidate) => candidate.startsWith('scope:'))) {
          if (!scopes.includes(tag.slice('scope:'.length))) context.report({ node, messageId: 'unmapped', data: { project: project.name, tag } });
        }
      },
    };
  },
};
