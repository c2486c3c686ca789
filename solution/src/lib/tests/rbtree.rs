//! Host tests of the red-black tree through its public interface, as its
//! users see it: a Linux-style keyed insert and lookup, and a randomised run
//! against a `BTreeMap` as the model, with `rb_check` and both walks after
//! every step. The tests that break trees on purpose need the private fields
//! and are in `rbtree.rs`; they use the helpers here.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ptr::NonNull;

use crate::lib::rbtree::RbColor::{Black, Red};
use crate::lib::rbtree::*;

/// A test element. `repr(C)` puts the node at a non-zero offset, so that
/// `rb_entry!` has arithmetic to get right.
#[repr(C)]
pub(crate) struct Item {
    key: u32,
    node: RbNode,
}

pub(crate) fn new_item(key: u32) -> NonNull<Item> {
    NonNull::from(Box::leak(Box::new(Item { key, node: RbNode::new() })))
}

fn free_item(item: NonNull<Item>) {
    // SAFETY: every item comes from `new_item`, and is freed once.
    drop(unsafe { Box::from_raw(item.as_ptr()) });
}

/// `item`'s node, taken from the pointer to the whole item.
fn node_of(item: NonNull<Item>) -> NonNull<RbNode> {
    // SAFETY: items are live until freed; this only computes an address.
    unsafe { NonNull::new_unchecked(&raw mut (*item.as_ptr()).node) }
}

fn key_of(node: NonNull<RbNode>) -> u32 {
    // SAFETY: the tests' trees link only the nodes of live items.
    unsafe { rb_entry!(node, Item, node).as_ref().key }
}

fn key_at(link: RbLink) -> Option<u32> {
    link.map(key_of)
}

// ANCHOR: insert
/// A keyed insert, as users write it (the example at the top of
/// `rbtree.rs`); false, linking nothing, if the key is taken.
fn insert(root: &mut RbRoot, item: NonNull<Item>) -> bool {
    let key = key_of(node_of(item));
    let (mut parent, mut link) = (None, &mut root.rb_node);
    while let Some(here) = *link {
        let here_key = key_of(here);
        if key == here_key {
            return false;
        }
        parent = Some(here);
        // SAFETY: a live node of the tree, which nothing else borrows now.
        let here = unsafe { &mut *here.as_ptr() };
        link = if key < here_key { here.left_mut() } else { here.right_mut() };
    }
    // SAFETY: the item is live, in no tree, and stays until erased; the
    // search found `link` below `parent`.
    unsafe {
        rb_link_node(node_of(item), parent, link);
        rb_insert_color(node_of(item), root);
    }
    true
}
// ANCHOR_END: insert

/// The item with `key`, found by a keyed descent.
fn lookup(root: &RbRoot, key: u32) -> Option<NonNull<Item>> {
    let mut link = root.rb_node;
    while let Some(node) = link {
        // SAFETY: the tests' trees link only the nodes of live items.
        let item = unsafe { rb_entry!(node, Item, node).as_ref() };
        link = match key.cmp(&item.key) {
            Ordering::Less => item.node.left(),
            Ordering::Greater => item.node.right(),
            Ordering::Equal => return Some(rb_entry!(node, Item, node)),
        };
    }
    None
}

/// The keys in order, walked with `rb_first` and `rb_next`.
fn keys_forward(root: &RbRoot) -> Vec<u32> {
    let (mut keys, mut link) = (Vec::new(), rb_first(root));
    while let Some(node) = link {
        keys.push(key_of(node));
        // SAFETY: the node is in the tree, which nothing changes now.
        link = unsafe { rb_next(node) };
    }
    keys
}

/// The keys in reverse order, walked with `rb_last` and `rb_prev`.
fn keys_backward(root: &RbRoot) -> Vec<u32> {
    let (mut keys, mut link) = (Vec::new(), rb_last(root));
    while let Some(node) = link {
        keys.push(key_of(node));
        // SAFETY: the node is in the tree, which nothing changes now.
        link = unsafe { rb_prev(node) };
    }
    keys
}

/// The number of nodes on the longest path from the root down.
fn height(link: RbLink) -> usize {
    // SAFETY: the tests' trees link only the nodes of live items.
    link.map_or(0, |node| unsafe { 1 + height(node.as_ref().left()).max(height(node.as_ref().right())) })
}

/// A tree and its model: the same items, by key. The model owns the
/// items and frees them on drop, whatever state the tree is in.
#[derive(Default)]
pub(crate) struct Tree {
    pub(crate) root: RbRoot,
    pub(crate) model: BTreeMap<u32, NonNull<Item>>,
}

impl Tree {
    pub(crate) fn of(keys: impl IntoIterator<Item = u32>) -> Self {
        let mut tree = Self::default();
        keys.into_iter().for_each(|key| tree.insert(key));
        tree
    }

    fn insert(&mut self, key: u32) {
        let item = new_item(key);
        if insert(&mut self.root, item) {
            assert!(self.model.insert(key, item).is_none(), "key {key} inserted twice");
        } else {
            assert!(self.model.contains_key(&key), "key {key} refused but absent");
            free_item(item);
        }
    }

    fn erase(&mut self, key: u32) {
        let item = self.model.remove(&key).expect("erasing a key that is there");
        assert_eq!(lookup(&self.root, key), Some(item), "lookup of {key}");
        // SAFETY: the item is in the tree, whose items are all live.
        unsafe { rb_erase(node_of(item), &mut self.root) };
        free_item(item);
    }

    /// Checks the tree against the red-black properties and the model;
    /// returns the black height.
    pub(crate) fn check(&self) -> usize {
        let black_height = rb_check(&self.root).unwrap_or_else(|e| panic!("{e:?} in {:?}", self.keys()));
        let keys = self.keys();
        assert_eq!(keys_forward(&self.root), keys);
        assert_eq!(keys_backward(&self.root), keys.iter().rev().copied().collect::<Vec<_>>());
        assert!(height(self.root.rb_node) <= 2 * (keys.len() + 1).ilog2() as usize);
        black_height
    }

    pub(crate) fn keys(&self) -> Vec<u32> {
        self.model.keys().copied().collect()
    }

    /// The node of the item with `key`, to look at.
    pub(crate) fn node(&self, key: u32) -> &RbNode {
        // SAFETY: the model's items are live.
        unsafe { &self.model[&key].as_ref().node }
    }

    /// The node of the item with `key`, to link or break.
    pub(crate) fn rb(&self, key: u32) -> NonNull<RbNode> {
        node_of(self.model[&key])
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        self.model.values().for_each(|&item| free_item(item));
    }
}

/// Marsaglia's xorshift64: deterministic, and no dependency.
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    pub(crate) fn shuffled(&mut self, n: u32) -> Vec<u32> {
        let mut keys: Vec<u32> = (0..n).collect();
        for i in (1..keys.len()).rev() {
            keys.swap(i, self.below(i + 1));
        }
        keys
    }
}

/// What the random steps erased, to show that every shape was tried.
#[derive(Default, Debug)]
struct Erased {
    root: usize,
    leaf: usize,
    one_child: usize,
    successor_is_right_child: usize,
    successor_deeper: usize,
}

impl Erased {
    fn count(&mut self, tree: &Tree, key: u32) {
        let node = tree.node(key);
        match (node.left(), node.right()) {
            (None, None) => self.leaf += 1,
            // SAFETY: a live node of the tree.
            (Some(_), Some(right)) if unsafe { right.as_ref() }.left().is_none() => {
                self.successor_is_right_child += 1
            }
            (Some(_), Some(_)) => self.successor_deeper += 1,
            _ => self.one_child += 1,
        }
        if node.parent().is_none() {
            self.root += 1;
        }
    }
}

#[test]
fn random_inserts_and_erases_match_a_btreemap() {
    const KEYS: usize = 512;
    let seeds = [1, 2, 3, 0x9e37_79b9, 0xdead_beef, 0x1234_5678_9abc];
    // Fewer seeds and steps under Miri, which runs them some thousand times slower.
    let (seeds, steps) = if cfg!(miri) { (&seeds[..1], 200) } else { (&seeds[..], 5000) };
    for &seed in seeds {
        let (mut rng, mut tree, mut erased) = (XorShift(seed), Tree::default(), Erased::default());
        for _ in 0..steps {
            let size = tree.model.len();
            let key = match rng.below(10) {
                _ if size == 0 => None,
                0..6 => None,
                6 => key_at(tree.root.rb_node),
                _ => tree.model.keys().nth(rng.below(size)).copied(),
            };
            match key {
                None => tree.insert(rng.below(KEYS) as u32),
                Some(key) => {
                    erased.count(&tree, key);
                    tree.erase(key);
                }
            }
            tree.check();
        }
        let e = &erased;
        assert!(
            [e.root, e.leaf, e.one_child, e.successor_is_right_child, e.successor_deeper]
                .iter()
                .all(|&n| n > 0),
            "seed {seed}: not every shape was erased: {e:?}"
        );
    }
}

#[test]
fn sorted_inserts_and_erases_stay_balanced() {
    // A smaller tree under Miri, which runs the checks some thousand times slower.
    let last = if cfg!(miri) { 63 } else { 1023 };
    let mut tree = Tree::of(1..=last);
    tree.check();
    for key in 1..=last {
        tree.erase(key);
        tree.check();
    }
}

#[test]
fn three_nodes_in_any_order_rotate_to_a_black_root_with_red_children() {
    for order in [[1, 2, 3], [3, 2, 1], [1, 3, 2], [3, 1, 2], [2, 1, 3], [2, 3, 1]] {
        let tree = Tree::of(order);
        assert_eq!(tree.check(), 1, "{order:?}");
        let root = tree.node(2);
        assert!(tree.root.rb_node.is_some_and(|top| key_of(top) == 2), "{order:?}");
        assert_eq!(root.color(), Black, "{order:?}");
        assert_eq!((key_at(root.left()), key_at(root.right())), (Some(1), Some(3)));
        for key in [1, 3] {
            assert_eq!(tree.node(key).color(), Red, "{order:?}");
            assert_eq!(key_at(tree.node(key).parent()), Some(2), "{order:?}");
        }
    }
}

#[test]
fn a_red_uncle_is_recoloured() {
    let tree = Tree::of([2, 1, 3, 4]);
    assert_eq!(tree.check(), 2);
    let colors: Vec<RbColor> = [1, 2, 3, 4].map(|key| tree.node(key).color()).into();
    assert_eq!(colors, [Black, Black, Black, Red]);
}

#[test]
fn erasing_the_root_again_and_again_empties_the_tree() {
    let mut tree = Tree::of(1..=15);
    while let Some(top) = key_at(tree.root.rb_node) {
        tree.erase(top);
        tree.check();
    }
    assert!(tree.root.is_empty());
}

#[test]
fn erasing_everything_leaves_an_empty_tree() {
    let mut rng = XorShift(42);
    let mut tree = Tree::of(rng.shuffled(100));
    for key in rng.shuffled(100) {
        tree.erase(key);
        tree.check();
    }
    assert!(tree.root.is_empty());
    assert_eq!((rb_first(&tree.root), rb_last(&tree.root)), (None, None));
    assert_eq!(rb_check(&tree.root), Ok(0));
}

#[test]
fn a_taken_key_is_refused_and_lookups_find_the_items() {
    let mut tree = Tree::of([5, 3, 8]);
    tree.insert(3);
    assert_eq!(tree.keys(), [3, 5, 8]);
    assert_eq!(lookup(&tree.root, 8), Some(tree.model[&8]));
    assert_eq!(lookup(&tree.root, 4), None);
    tree.check();
}
